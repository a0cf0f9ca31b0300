package provider

import "testing"

// A repository whose host is an IPv4 address written as IPv6, IPv4-mapped
// ([::ffff:7f00:1], which image references can hold, or
// [::ffff:127.0.0.1]), is refused saying so and naming the IPv4 address to
// write, port kept; one bracketed as it is ([10.0.0.1]) is told to drop
// the brackets. Before, each read "does not hold an IPv6 address between
// brackets", false of the mapped ones, with advice that named no address;
// the dotted form's own advice ("write it in hex") led to the hex form,
// refused the same way.
func TestRepositoryOnIPv4AddressInBracketsSaysWhatToWrite(t *testing.T) {
	for value, advises := range map[string]string{
		"[::ffff:7f00:1]:5000/prefecthq/prefect":    "IPv4-mapped IPv6 address, which is the IPv4 address 127.0.0.1; write that without brackets, as 127.0.0.1:5000",
		"[::ffff:127.0.0.1]:5000/prefecthq/prefect": "IPv4-mapped IPv6 address, which is the IPv4 address 127.0.0.1; write that without brackets, as 127.0.0.1:5000",
		"[::FFFF:a00:1]/acme/prefect":               "write that without brackets, as 10.0.0.1",
		"[10.0.0.1]/acme/prefect":                   "but an IPv4 address; write it without brackets, as 10.0.0.1",
		"[10.0.0.1]:5000/acme/prefect":              "write it without brackets, as 10.0.0.1:5000",
	} {
		namedOnceAdvisedOnce(t, repositoryValidator, value, advises)
	}
}
