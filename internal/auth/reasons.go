package auth

// Stable values of details.reason on refusals of the access rules this
// package keeps, for clients to tell the rules apart without reading the
// message (the people feature's own are in people/reasons.go).
const (
	// ReasonSuperuserOnly: only a superuser changes (or makes) a superuser.
	ReasonSuperuserOnly = "superuser_only"
	// ReasonOutranked: the user holds a role with permissions the caller lacks.
	ReasonOutranked = "outranked"
	// ReasonSelf: nobody changes their own roles, superuser or active
	// status, resets their own second factor or sends themselves a
	// set-password link through the users API.
	ReasonSelf = "self"
	// ReasonTOTPEnabled: a second factor is on already; turn it off to enrol another app.
	ReasonTOTPEnabled = "totp_enabled"
	// ReasonTOTPRequiredByRole: a role of the user requires a second factor.
	ReasonTOTPRequiredByRole = "totp_required_by_role"
	// ReasonTokenCaller: the change needs a logged-in session, not an API token.
	ReasonTokenCaller = "session_required"
)
