package main

import (
	"embed"
	"fmt"

	"spflab/scenarios"
)

// builtinLessons holds scenarios.yaml, the built-in lessons, and the zone
// file they name.
//
//go:embed scenarios.yaml testdata/lessons/euston.net.zone
var builtinLessons embed.FS

// builtinLessonsName is how errors and reports name the built-in file.
const builtinLessonsName = "scenarios.yaml"

// loadLessons loads the scenarios file named by --scenarios, or the
// built-in lessons when file is "".
func loadLessons(file string) (*scenarios.File, error) {
	if file != "" {
		return scenarios.LoadFile(file)
	}
	data, err := builtinLessons.ReadFile(builtinLessonsName)
	if err != nil {
		return nil, fmt.Errorf("the built-in lessons: %w", err)
	}
	return scenarios.Parse(data, builtinLessonsName, builtinLessons)
}
