// The webhooks feature's public face: what pages may use.
export { WebhooksScreen } from "./components/WebhooksScreen";
