// The media feature's public face: what pages may use.
export { MediaLibrary } from "./components/MediaLibrary";
export { MediaDetail } from "./components/MediaDetail";
