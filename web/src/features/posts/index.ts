// The posts feature's public face: what pages and other features may use.
// (The editor lane's part; the list lane adds PostsList here.)
export { PostEditor } from "./components/editor/PostEditor";
export type { Post, PostStatus, PostLang } from "./types";
