// The posts feature's public face: what pages may use.
export { PostsList, PostStatusBadge } from "./components/PostsList";
export { PostEditor } from "./components/editor/PostEditor";
export type { Post, PostStatus, PostLang } from "./types";
