// The auth feature's public face: the login screen and signing out.
export { LoginForm } from "./components/LoginForm";
export { useLogout } from "./api";
