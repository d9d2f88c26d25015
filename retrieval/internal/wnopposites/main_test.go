package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A two-synset excerpt in WordNet's data format: "direct" (word 1 of
// 00001) and "indirect" (word 1 of 00002) point at each other with "!";
// "galore(ip)" carries an adjective marker; "at_hand" is a multi-word
// lemma, left out.
const dataAdj = `  1 This software and database is being provided to you, the LICENSEE, by  
  2   
  3 WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved.  
00001 00 a 02 direct 0 galore(ip) 0 002 ! 00002 a 0101 & 00003 a 0000 | straight
00002 00 a 01 indirect 0 001 ! 00001 a 0101 | not direct
00003 00 s 01 at_hand 0 001 ! 00002 a 0101 | near
`

func TestRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.adj")
	if err := os.WriteFile(path, []byte(dataAdj), 0o644); err != nil {
		t.Fatal(err)
	}
	pairs := map[[2]string]bool{}
	license, err := read(path, pairs)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][2]string{{"direct", "indirect"}}; len(pairs) != 1 || !pairs[want[0]] {
		t.Errorf("pairs %v, want %v", pairs, want)
	}
	want := []string{"This software and database is being provided to you, the LICENSEE, by", "", "WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved."}
	if !slices.Equal(license, want) {
		t.Errorf("license %q, want %q", license, want)
	}
}

func TestReadMalformed(t *testing.T) {
	for _, data := range []string{
		"00001 00 a\n",                                  // short line
		"00001 00 a zz direct 0 000 | x\n",              // bad word count
		"00001 00 a 01 direct 0 009 ! 00002 a 0101 |\n", // more pointers than fields
		"00001 00 a 01 direct 0 001 ! 00002 a 01 |\n",   // short source/target
	} {
		path := filepath.Join(t.TempDir(), "data.adj")
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := read(path, map[[2]string]bool{}); err == nil {
			t.Errorf("read(%q): no error", data)
		}
	}
}
