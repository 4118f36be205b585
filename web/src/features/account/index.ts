// The account feature's public face: what pages may use.
export { AccountPage } from "./components/AccountPage";
