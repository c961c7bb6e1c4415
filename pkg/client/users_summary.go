package client

// decodeSummaries decodes a getUsers answer into summaries as
// json.Unmarshal into struct{ Users []UserSummary } does, or declines
// (fastdecode.go).
func decodeSummaries(b []byte) ([]UserSummary, bool) {
	return decodeList(b, "users", summaryField)
}

func summaryField(s *scanner, u *UserSummary, key []byte) error {
	switch string(key) {
	case "id":
		return s.str(&u.ID)
	case "name":
		return s.str(&u.Name)
	case "email":
		return s.str(&u.Email)
	case "role":
		return s.str(&u.Role)
	case "root":
		return s.boolean(&u.Root)
	case "pending":
		return s.boolean(&u.Pending)
	case "enabled":
		return s.boolean(&u.Enabled)
	case "all_sub_accounts":
		return s.boolean(&u.AllSubAccounts)
	case "sub_account_count":
		return s.integer(&u.SubAccountCount)
	case "created_at":
		if s.peek() != '"' {
			return errDecline
		}
		start := s.i
		if err := s.plainStr(new(string)); err != nil {
			return err
		}
		return u.CreatedAt.UnmarshalJSON(s.b[start:s.i])
	}
	return s.skip()
}
