package verifier

// DecodeRequestBothWays decodes data with fastRequestJSON and with
// slowRequestJSON (encoding/json), for the tests that hold the two together.
func DecodeRequestBothWays(data []byte) (fast, slow any, fastOK bool, slowErr error) {
	f, ok := fastRequestJSON(data)
	s, err := slowRequestJSON(data)
	return f, s, ok, err
}

// ParseTDXSet is parseTDXSet, for its fuzz target.
var ParseTDXSet = parseTDXSet
