import type { PostStatus } from "./types";

/**
 * The workflow buttons. The server is the authority (content.PostWorkflow
 * and content.PermissionFor in internal/content); this copy only decides
 * which buttons to show: the detail's allowed_next when the server sends it,
 * else the same table.
 */
export const postWorkflow: Record<PostStatus, PostStatus[]> = {
  draft: ["in_review", "scheduled", "published", "archived"],
  in_review: ["draft", "scheduled", "published", "archived"],
  scheduled: ["draft", "published", "archived"],
  published: ["draft", "archived"],
  archived: ["draft"],
};

/** content.PermissionFor: moves between draft and in review are a writer's; everything else changes what the website shows. */
export const permissionFor = (from: PostStatus, to: PostStatus) =>
  (from === "draft" || from === "in_review") && (to === "draft" || to === "in_review") ? "content.edit" : "content.publish";

export type ActionKey = "publishChanges" | "submit" | "toDraft" | "publish" | "schedule" | "unschedule" | "unpublish" | "scheduleUnpublish" | "archive" | "unarchive";

export type WorkflowAction = {
  key: ActionKey;
  to: PostStatus;
  /** asks for a time (sent as `at`) */
  needsTime: boolean;
  /** asks "are you sure", naming the post */
  confirm: boolean;
  /** a red button: it takes the post off the website or out of the workflow */
  danger: boolean;
};

const action = (key: ActionKey, to: PostStatus, o: Partial<Pick<WorkflowAction, "needsTime" | "confirm" | "danger">> = {}): WorkflowAction => ({
  key, to, needsTime: false, confirm: false, danger: false, ...o,
});

/**
 * The buttons a user sees for a post in status: each allowed move the user
 * holds the permission for. A published post also offers "schedule
 * unpublish" ({to: "draft", at}) and, when its saved working copy is ahead
 * of what the website shows (live_revision < revision), "publish changes"
 * (POST …/publish-changes: published → published is no workflow move).
 */
export function actionsFor(status: PostStatus, allowedNext: PostStatus[] | undefined, can: (perm: string) => boolean, unpublishedChanges = false): WorkflowAction[] {
  const allowed = allowedNext ?? postWorkflow[status] ?? [];
  const out: WorkflowAction[] = [];
  if (status === "published" && unpublishedChanges && can("content.publish")) out.push(action("publishChanges", "published", { confirm: true }));
  const may = (to: PostStatus) => allowed.includes(to) && can(permissionFor(status, to));
  if (may("in_review")) out.push(action("submit", "in_review"));
  if (may("published")) out.push(action("publish", "published", { confirm: true }));
  if (may("scheduled")) out.push(action("schedule", "scheduled", { needsTime: true }));
  if (may("draft")) {
    if (status === "published") {
      out.push(action("unpublish", "draft", { confirm: true, danger: true }));
      out.push(action("scheduleUnpublish", "draft", { needsTime: true }));
    } else if (status === "scheduled") out.push(action("unschedule", "draft"));
    else if (status === "archived") out.push(action("unarchive", "draft"));
    else out.push(action("toDraft", "draft"));
  }
  if (may("archived")) out.push(action("archive", "archived", { confirm: true, danger: true }));
  return out;
}

/** A day (yyyy-mm-dd) and a time (HH:MM) on the user's clock, as the RFC 3339 UTC instant the API takes; "" when either is missing. */
export function instantOf(day: string, time: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !/^\d{2}:\d{2}$/.test(time)) return "";
  const d = new Date(`${day}T${time}:00`);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Whether a published post has saved changes the website does not show yet. */
export const hasUnpublishedChanges = (p: { status: PostStatus; revision: number; live_revision?: number | null }) =>
  p.status === "published" && p.live_revision != null && p.live_revision < p.revision;
