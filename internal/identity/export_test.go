package identity

// SetPasswordCheck replaces the password check, so a test can watch how many
// run at once and hold them, without timing anything.
func SetPasswordCheck(s *Service, check func(hash, password string) bool) { s.checkPassword = check }

// CheckPassword is the real check, for a replacement to call through.
var CheckPassword = checkPassword

// OnHashAdmitted sets the hook told when a sign-in holds its place in the
// hash queue.
func OnHashAdmitted(s *Service, fn func()) { s.hashAdmitted = fn }

// OnHashWaiting sets the hook told when a sign-in finds the hash queue full
// and waits for a place.
func OnHashWaiting(s *Service, fn func()) { s.hashWaiting = fn }

// Admitted is how many sign-ins hold or wait for a hash slot.
func Admitted(s *Service) int { return len(s.guard.Load().admit) }
