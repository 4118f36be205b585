// The users feature's public face: what pages and other features may use.
export { UsersList } from "./components/UsersList";
export { UserDetail } from "./components/UserDetail";
export { InviteUserForm } from "./components/InviteUserForm";
