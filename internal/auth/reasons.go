package auth

// Stable values of details.reason on refusals of the people API, for
// clients to tell the rules apart without reading the message.
const (
	// ReasonSelf: nobody changes their own roles, superuser or active
	// status, resets their own second factor or sends themselves a
	// set-password link through the users API.
	ReasonSelf = "self"
	// ReasonSuperuserOnly: only a superuser changes a superuser.
	ReasonSuperuserOnly = "superuser_only"
	// ReasonOutranked: the user holds a role with permissions the caller lacks.
	ReasonOutranked = "outranked"
	// ReasonLastSuperuser: the last active superuser stays one.
	ReasonLastSuperuser = "last_superuser"
	// ReasonBuiltinRole: built-in roles keep their name, description and permissions.
	ReasonBuiltinRole = "builtin_role"
	// ReasonRoleInUse: a role somebody holds is not deleted (details.users_count).
	ReasonRoleInUse = "role_in_use"
	// ReasonPermissionNotHeld: the role holds a permission the caller lacks (details.permission).
	ReasonPermissionNotHeld = "permission_not_held"
	// ReasonTOTPEnabled: a second factor is on already; turn it off to enrol another app.
	ReasonTOTPEnabled = "totp_enabled"
	// ReasonTOTPRequiredByRole: a role of the user requires a second factor.
	ReasonTOTPRequiredByRole = "totp_required_by_role"
	// ReasonTokenCaller: the change needs a logged-in session, not an API token.
	ReasonTokenCaller = "session_required"
	// ReasonLinkInvalid: a set-password link is unknown, used, expired or
	// void (its user's rank, roles, email, activity or password changed
	// since, or its issuer no longer outranks its user); one answer for all.
	ReasonLinkInvalid = "link_invalid"
)
