package draft

// SetMaxReportSize sets the budget of one report for a test and returns
// a function that restores it.
func SetMaxReportSize(n int64) (restore func()) {
	old := maxReportSize
	maxReportSize = n
	return func() { maxReportSize = old }
}
