// The stats feature's public face: the home screen (dashboard).
export { Home } from "./components/Home";
