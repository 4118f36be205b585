// The chat feature's public face: the inbox, the FAQ screen (with canned
// replies) and the sidebar's unread badge (which the frame shows on every page).
export { InboxScreen } from "./components/InboxScreen";
export { FaqScreen } from "./components/FaqScreen";
export { ChatUnreadBadge } from "./components/UnreadBadge";
