// The roles feature's public face: the roles screen, and the permission
// catalogue (names, areas in their one order, descriptions) other features show.
export { RolesScreen } from "./components/RolesScreen";
export { areaName, areaRank, permissionDescription, roleDescription, roleName } from "./catalogue";
export { missingPermissions, usePermissions, useRoles, type Permission, type Role } from "./api";
