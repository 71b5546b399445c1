package audit

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// FileName is the audit log's name inside the data directory.
const FileName = "audit.log"

// Defaults for Options.
const (
	DefaultQueueSize = 8192
	DefaultMaxWait   = 2 * time.Second
	// DefaultBatchWindow is how long the writer gathers records before one
	// write and fsync. It bounds fsyncs to about 1/window per second: under
	// load, syncing after every handful of records made the disk's journal
	// compete with the requests for the CPU (the vault GET lost ~40% of its
	// throughput at 64 connections on 2 cores).
	DefaultBatchWindow = 10 * time.Millisecond
	maxBatch           = 4096
)

// Options tune a Log; the zero value is the default.
type Options struct {
	// QueueSize bounds the records waiting to be written.
	QueueSize int
	// MaxWait is how long Record waits for room in a full queue before it
	// gives the record up, counting and logging the loss.
	MaxWait time.Duration
	// BatchWindow is how long the writer gathers records before it writes
	// and syncs them; a Flush or Close ends the window at once.
	BatchWindow time.Duration
	Logger      *slog.Logger
}

// Log is the durable Recorder: an append-only JSON-lines file written by one
// background goroutine. Record only queues; the writer takes everything
// queued, writes it in one write and fsyncs it (group commit), so a request
// never waits for the disk, yet its record is on disk within one fsync of
// the call. Close writes and syncs whatever is queued.
//
// What must stay true: the file only ever grows by whole lines (a crash can
// tear the last one, which Open terminates and Read skips); a record is
// never silently lost (a full queue makes Record wait, a failed write is
// logged and counted); nothing but a Record's own fields is written.
type Log struct {
	path    string
	f       *os.File
	logger  *slog.Logger
	maxWait time.Duration
	window  time.Duration

	// mu guards closed against Record sending on a closed queue.
	mu     sync.RWMutex
	closed bool
	queue  chan entry
	done   chan struct{}
	// kick ends the writer's gathering window early (Flush, Close).
	kick chan struct{}

	written atomic.Int64
	failed  atomic.Int64
	dropped atomic.Int64
	lastErr error // the writer's, read after done
}

// entry is a queued record, or a flush marker when flushed is set.
type entry struct {
	rec     Record
	flushed chan error
}

// Stats counts what a Log did with its records.
type Stats struct {
	// Written records were written and synced.
	Written int64
	// Failed records were lost to a write or sync error.
	Failed int64
	// Dropped records found the queue full for longer than MaxWait.
	Dropped int64
}

// Open opens (creating, mode 0600) the audit log at path for appending and
// starts its writer. A line torn by a crash is terminated first, so the
// records appended after it stay readable.
func Open(path string, opt Options) (*Log, error) {
	if opt.QueueSize <= 0 {
		opt.QueueSize = DefaultQueueSize
	}
	if opt.MaxWait <= 0 {
		opt.MaxWait = DefaultMaxWait
	}
	if opt.BatchWindow <= 0 {
		opt.BatchWindow = DefaultBatchWindow
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit: open %s: %w", path, err)
	}
	if err := prepare(f, errors.Is(statErr, os.ErrNotExist)); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit: open %s: %w", path, err)
	}
	l := &Log{
		path:    path,
		f:       f,
		logger:  opt.Logger,
		maxWait: opt.MaxWait,
		window:  opt.BatchWindow,
		queue:   make(chan entry, opt.QueueSize),
		done:    make(chan struct{}),
		kick:    make(chan struct{}, 1),
	}
	go l.run()
	return l, nil
}

// prepare makes an opened log ready to append: owner-only, its directory
// entry durable when new, and a torn last line terminated.
func prepare(f *os.File, created bool) error {
	if err := f.Chmod(0o600); err != nil {
		return err
	}
	if created {
		if err := syncDir(filepath.Dir(f.Name())); err != nil {
			return err
		}
	}
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return err
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, fi.Size()-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	if _, err := f.Write([]byte{'\n'}); err != nil {
		return err
	}
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Path is the file the log appends to.
func (l *Log) Path() string { return l.path }

// Record queues r for writing. It does not wait for the disk; when the queue
// is full it waits up to MaxWait for room, then gives the record up (counted
// in Stats.Dropped and logged). A record after Close is dropped the same way.
func (l *Log) Record(r Record) {
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		l.drop(r, "closed")
		return
	}
	select {
	case l.queue <- entry{rec: r}:
		return
	default:
	}
	t := time.NewTimer(l.maxWait)
	defer t.Stop()
	select {
	case l.queue <- entry{rec: r}:
	case <-t.C:
		l.drop(r, "queue full")
	}
}

// drop counts and reports a record given up: which call, never its contents.
func (l *Log) drop(r Record, why string) {
	l.dropped.Add(1)
	l.logger.Error("audit: record dropped", "reason", why, "service", r.Service, "action", r.Action, "request_id", r.RequestID)
}

// Flush waits until every record queued before it is written and synced,
// and returns the error of that write, if any.
func (l *Log) Flush() error {
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return errors.New("audit: log closed")
	}
	ch := make(chan error, 1)
	l.queue <- entry{flushed: ch}
	l.mu.RUnlock()
	l.wake()
	return <-ch
}

// Close writes and syncs every queued record, stops the writer and closes
// the file. Call it once nothing records any more (after the HTTP server's
// shutdown); a later Record is dropped and counted. It is safe to call twice.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		<-l.done
		return nil
	}
	l.closed = true
	close(l.queue)
	l.mu.Unlock()
	l.wake()
	<-l.done
	return errors.Join(l.lastErr, l.f.Close())
}

// wake ends the writer's current gathering window, if any.
func (l *Log) wake() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// Stats reports what the log did so far.
func (l *Log) Stats() Stats {
	return Stats{Written: l.written.Load(), Failed: l.failed.Load(), Dropped: l.dropped.Load()}
}

// run is the writer: it blocks for one entry, takes everything else already
// queued (up to maxBatch), writes the batch with one write and one fsync,
// then answers the flush markers it took.
func (l *Log) run() {
	defer close(l.done)
	var (
		buf     bytes.Buffer
		flushes []chan error
		n       int
		torn    bool // the last write failed part-way: start on a fresh line
	)
	take := func(e entry) {
		if e.flushed != nil {
			flushes = append(flushes, e.flushed)
			return
		}
		rec := sanitize(e.rec)
		if y := rec.Time.Year(); y < 0 || y > 9999 {
			// encoding/json refuses such a time; count it rather than write
			// a line no reader parses.
			l.failed.Add(1)
			l.logger.Error("audit: record not encodable", "service", e.rec.Service, "action", e.rec.Action, "request_id", e.rec.RequestID)
			return
		}
		buf.Write(appendRecord(buf.AvailableBuffer(), &rec))
		n++
	}
	for {
		e, ok := <-l.queue
		if !ok {
			return
		}
		take(e)
		// Let what arrives within the window gather in the queue (a Flush
		// or Close ends the window at once), then take it all and write and
		// sync once. The writer does not receive record by record while
		// the window is open: a request's send then never has to wake it.
		if len(flushes) == 0 {
			window := time.NewTimer(l.window)
			select {
			case <-window.C:
			case <-l.kick:
			}
			window.Stop()
		}
	drain:
		for n < maxBatch {
			select {
			case e, ok := <-l.queue:
				if !ok {
					break drain
				}
				take(e)
			default:
				break drain
			}
		}
		err := l.write(&buf, &torn)
		if err != nil {
			l.failed.Add(int64(n))
			l.lastErr = err
			l.logger.Error("audit: write failed", "path", l.path, "records", n, "err", err)
		} else {
			l.written.Add(int64(n))
		}
		for _, ch := range flushes {
			ch <- err
		}
		buf.Reset()
		flushes, n = flushes[:0], 0
	}
}

// write appends a batch and syncs it.
func (l *Log) write(buf *bytes.Buffer, torn *bool) error {
	if buf.Len() == 0 {
		return nil
	}
	if *torn {
		if _, err := l.f.Write([]byte{'\n'}); err != nil {
			return err
		}
		*torn = false
	}
	if _, err := l.f.Write(buf.Bytes()); err != nil {
		*torn = true
		return err
	}
	return l.f.Sync()
}

// valueParams are parameter names that would carry a value, a secret or a
// token. Wires never put them in Params; the writer drops them anyway.
var valueParams = map[string]bool{
	"value": true, "string_value": true, "bytes_value": true, "token_value": true,
	"secret": true, "client_secret": true, "password": true, "token": true,
	"access_token": true, "refresh_token": true, "authorization": true,
}

// sanitize returns r without any parameter named like a value.
func sanitize(r Record) Record {
	for k := range r.Params {
		if valueParams[strings.ToLower(k)] {
			clean := make(map[string]string, len(r.Params))
			for k, v := range r.Params {
				if !valueParams[strings.ToLower(k)] {
					clean[k] = v
				}
			}
			r.Params = clean
			return r
		}
	}
	return r
}
