// Package nanjson encodes result structs whose float64 fields may be NaN or
// ±Inf ("unknown" or "does not apply"), which encoding/json refuses: such
// fields are written as null and read back as NaN.
package nanjson

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Marshal encodes the struct v with its fields' JSON names, in field order,
// writing non-finite float64 fields as null. Other fields are encoded by
// encoding/json (so nested values keep their own MarshalJSON).
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	rv := reflect.ValueOf(v)
	t := rv.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(name))
		b.WriteByte(':')
		f := rv.Field(i)
		if f.Kind() == reflect.Float64 && (math.IsNaN(f.Float()) || math.IsInf(f.Float(), 0)) {
			b.WriteString("null")
			continue
		}
		enc, err := json.Marshal(f.Interface())
		if err != nil {
			return nil, err
		}
		b.Write(enc)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// Unmarshal decodes what Marshal writes into the struct that ptr points
// to, reading null (or missing) float64 fields as NaN. plain must be ptr
// converted to a type without an UnmarshalJSON method (to decode the rest
// without recursing).
func Unmarshal(data []byte, ptr, plain any) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	v := reflect.ValueOf(ptr).Elem()
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		m, ok := raw[name]
		f := v.Field(i)
		if f.Kind() == reflect.Float64 && (!ok || string(m) == "null") {
			f.SetFloat(math.NaN())
			delete(raw, name)
		}
	}
	rest, err := json.Marshal(raw)
	if err != nil {
		return err
	}
	return json.Unmarshal(rest, plain)
}
