// The invite feature's public face: what pages may use.
export { AcceptInvite } from "./components/AcceptInvite";
