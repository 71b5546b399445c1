package client

// ParseChallengeForTest exposes parseChallenge as [tenant, scope].
func ParseChallengeForTest(header, host string) ([2]string, error) {
	c, err := parseChallenge(header, host)
	if err != nil {
		return [2]string{}, err
	}
	return [2]string{c.tenantID, c.scope}, nil
}
