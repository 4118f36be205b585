// The projects (portfolio) feature's public face: what pages may use.
export { ProjectsList } from "./components/ProjectsList";
export { ProjectEditor } from "./components/ProjectEditor";
