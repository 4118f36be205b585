// The two-factor feature's public face: its settings page, the gate that
// sends users who must enrol there, and the user menu's entry for it.
export { TwoFactorSettings } from "./components/TwoFactorSettings";
export { EnrolmentGate, useTwoFactorMenuItem } from "./components/EnrolmentGate";
