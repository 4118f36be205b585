// The posts feature's public face: what pages may use. (The editor lane adds the editor's exports.)
export { PostsList, PostStatusBadge } from "./components/PostsList";
