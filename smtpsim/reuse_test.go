package smtpsim

import (
	"bufio"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestLineReaderReused: a closed connection's line reader goes back to the
// server's pool, emptied and detached from the connection.
func TestLineReaderReused(t *testing.T) {
	if raceEnabled {
		t.Skip("with the race detector, sync.Pool drops what it is given at random")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // a collection may empty the pool
	srv, rec := startServer(t, Config{})
	// More at once than processors: each processor keeps one for itself,
	// the rest are for any to take.
	clients := make([]*Client, runtime.GOMAXPROCS(0)+1)
	for i := range clients {
		clients[i] = dial(t, srv)
		send(t, clients[i], "EHLO lab.client", want{code: 250})
	}
	for _, c := range clients {
		send(t, c, "QUIT", want{code: 221})
		waitEvents(t, rec, c)
	}
	br, ok := srv.readers.Get().(*bufio.Reader)
	if !ok {
		t.Fatal("no line reader came back to the pool")
	}
	if br.Size() < srv.cfg.Limits.MaxLineLength+16 || br.Buffered() != 0 {
		t.Errorf("pooled reader: size %d, %d bytes buffered; want room for a %d-byte line and nothing buffered", br.Size(), br.Buffered(), srv.cfg.Limits.MaxLineLength)
	}
}
