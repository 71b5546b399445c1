package barrier

// NewWithKey returns a Barrier whose one data key, at term 1, is key. It has
// no store behind it: fuzz targets use it because every fuzz worker process
// must hold the same key for a value sealed in one to open in another.
func NewWithKey(key []byte) (*Barrier, error) {
	b := &Barrier{}
	return b, b.load(keyring{Active: 1, Terms: []termKey{{Term: 1, Key: key}}}, nil)
}
