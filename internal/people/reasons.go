package people

// Stable values of details.reason on refusals of the people API, for
// clients to tell the rules apart without reading the message. The API
// also answers auth's: auth.ReasonSelf, auth.ReasonSuperuserOnly,
// auth.ReasonOutranked and auth.ReasonTokenCaller.
const (
	// ReasonLastSuperuser: the last active superuser stays one.
	ReasonLastSuperuser = "last_superuser"
	// ReasonBuiltinRole: built-in roles keep their name, description and permissions.
	ReasonBuiltinRole = "builtin_role"
	// ReasonRoleInUse: a role somebody holds is not deleted (details.users_count).
	ReasonRoleInUse = "role_in_use"
	// ReasonPermissionNotHeld: the role holds a permission the caller lacks (details.permission).
	ReasonPermissionNotHeld = "permission_not_held"
	// ReasonLinkInvalid: a set-password link is unknown, used, expired or
	// void (its user's rank, roles, email, activity or password changed
	// since, or its issuer no longer outranks its user); one answer for all.
	ReasonLinkInvalid = "link_invalid"
)
