package main

import (
	"fmt"
	"log/slog"
	"os"

	"citebot/retrieval"
)

// loadCalibration reads CITEBOT_CALIBRATION (nil when unset: the index
// uses the shipped calibration for its embedder). A calibration fitted
// with another embedder still loads, with a warning: its dense signal is on
// another scale.
func loadCalibration(c config, embedder string, log *slog.Logger) (*retrieval.Calibration, error) {
	if c.Calibration == "" {
		return nil, nil
	}
	f, err := os.Open(c.Calibration)
	if err != nil {
		return nil, &configError{fmt.Errorf("CITEBOT_CALIBRATION: %w", err)}
	}
	defer f.Close()
	cal, err := retrieval.ReadCalibration(f)
	if err != nil {
		return nil, &configError{fmt.Errorf("CITEBOT_CALIBRATION=%s: %w", c.Calibration, err)}
	}
	if cal.Embedder != "" && cal.Embedder != embedder {
		log.Warn("the calibration was fitted with another embedder; rerun `citebot calibrate` with this one",
			"file", c.Calibration, "fitted_with", cal.Embedder, "embedder", embedder)
	}
	return cal, nil
}
