// The jobs feature's public face: what pages may use.
export { JobsList } from "./components/JobsList";
export { JobDetail } from "./components/JobDetail";
