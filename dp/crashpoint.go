package dp

// crashHook is nil except in the crash test's child process
// (crash_test.go), which sets it to kill the process at one named step of a
// release: "append pending", "appended pending", "head unrenamed",
// "noise drawn", "release written", "release renamed", and so on.
var crashHook func(step string)

// tearType is set only in that child: the append of an entry of this type
// writes half its line and reaches the step "torn TYPE" before the whole
// line (a torn write).
var tearType string

func crashPoint(step string) {
	if crashHook != nil {
		crashHook(step)
	}
}
