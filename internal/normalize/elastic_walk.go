package normalize

import (
	"errors"
	"fmt"
)

// elasticMode says how elasticDoc.object reads an object's members.
type elasticMode int

const (
	// elasticTop is the record: a bare document, a search hit
	// ({"_id","_source"}) or an es_archiver doc ({"type","value"}).
	elasticTop elasticMode = iota
	// elasticArchive is es_archiver's value object ({"id","source"}).
	elasticArchive
	// elasticDocument is the alert document itself.
	elasticDocument
)

// object reads the JSON object starting at raw[i] in one pass, storing
// the members whose dotted path is wanted and descending only into objects
// that may hold wanted fields; it returns the index just past the object.
// Walking once matters: Kibana alerts are kilobytes of nested objects, and
// scanning each level with ScanFields read them once per level. raw must
// be valid JSON (the caller checked it). path is a scratch buffer holding
// the object's own path.
func (d *elasticDoc) object(raw []byte, i int, path []byte, mode elasticMode, depth int) (int, error) {
	if depth > 32 {
		return 0, errors.New("elastic document nested too deeply")
	}
	i = scanSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return i + 1, nil
	}
	for i < len(raw) {
		end, esc := scanStringEnd(raw, i)
		if end < 0 {
			return 0, errors.New("elastic document has an unterminated key")
		}
		key := raw[i+1 : end-1]
		if esc {
			s, err := unquote(raw[i:end])
			if err != nil {
				return 0, fmt.Errorf("elastic document key: %w", err)
			}
			key = []byte(s)
		}
		i = scanSpace(raw, scanSpace(raw, end)+1) // past the ':'
		next, err := d.member(raw, i, path, key, mode, depth)
		if err != nil {
			return 0, err
		}
		i = scanSpace(raw, next)
		if i < len(raw) && raw[i] == ',' {
			i = scanSpace(raw, i+1)
			continue
		}
		return i + 1, nil
	}
	return 0, errors.New("elastic document is truncated")
}

// member reads the value of key at raw[i] and returns the index past it.
func (d *elasticDoc) member(raw []byte, i int, path, key []byte, mode elasticMode, depth int) (int, error) {
	isObject := i < len(raw) && raw[i] == '{'
	switch mode {
	case elasticTop:
		switch {
		case isObject && string(key) == "_source":
			return d.object(raw, i, path[:0], elasticDocument, depth+1)
		case isObject && string(key) == "value":
			return d.object(raw, i, path[:0], elasticArchive, depth+1)
		case string(key) == "_id":
			return d.envIDAt(raw, i)
		}
	case elasticArchive:
		switch {
		case isObject && string(key) == "source":
			return d.object(raw, i, path[:0], elasticDocument, depth+1)
		case string(key) == "id":
			return d.envIDAt(raw, i)
		}
		return scanValueEnd(raw, i), nil
	}
	p := path
	if len(p) > 0 {
		p = append(p, '.')
	}
	p = append(p, key...)
	slot, wanted := elasticPaths[string(p)]
	// threat is both a wanted list and the prefix of dotted threat
	// fields: an object is walked instead.
	if wanted && !(slot == elasticThreat && isObject) {
		end := scanValueEnd(raw, i)
		if err := d.set(slot, raw[i:end]); err != nil {
			return 0, fmt.Errorf("elastic field %s: %w", p, err)
		}
		return end, nil
	}
	if isObject && elasticPrefixes[string(p)] {
		return d.object(raw, i, p, elasticDocument, depth+1)
	}
	return scanValueEnd(raw, i), nil
}

func (d *elasticDoc) envIDAt(raw []byte, i int) (int, error) {
	end := scanValueEnd(raw, i)
	var t text
	if err := t.UnmarshalJSON(raw[i:end]); err != nil {
		return 0, fmt.Errorf("elastic document id: %w", err)
	}
	d.envID = string(t)
	return end, nil
}
