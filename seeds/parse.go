package seeds

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"confcal/agenda"
)

// Error is a problem in a scraped agenda: the file, the line (counted from
// 1) and what was expected there. Every error Parse returns for bad input is
// an *Error; find it with errors.As.
type Error struct {
	File string // the name given to Parse
	Line int    // the line, counted from 1
	Msg  string // what was expected there and what was found
}

// Error returns "file:line: msg".
func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Parse reads an agenda page scraped as text (the format is described in
// the package documentation) into agenda contents for conf: the sessions in
// page order, the tracks in order of first appearance and the rooms "Room 1"
// to "Room N". The year of every session comes from conf. name is the file
// name used in errors. Any problem with src is reported as an *Error naming
// the line; a conference that does not validate is reported as it is.
func Parse(name string, src []byte, conf agenda.Conference) (agenda.Contents, error) {
	if err := conf.Validate(); err != nil {
		return agenda.Contents{}, fmt.Errorf("seeds: %w", err)
	}
	loc, err := conf.Location()
	if err != nil {
		return agenda.Contents{}, fmt.Errorf("seeds: %w", err)
	}
	p := &parser{file: name, conf: conf, loc: loc}
	if err := p.parse(src); err != nil {
		return agenda.Contents{}, err
	}
	return p.contents(), nil
}

// parser holds the state of one Parse call.
type parser struct {
	file   string
	conf   agenda.Conference
	loc    *time.Location
	lines  []string        // the input's lines without line ends and trailing blanks
	blocks []*block        // the sessions in page order
	titles map[string]bool // the titles of all sessions
	vocab  []string        // the categories learnt from closing lines, longest first
	heads  []string        // the headings learnt from lines of their own ("Prerequisites:"), without the colon
	tracks []agenda.Track
	rooms  int
}

// block is one session and the lines that belong to it.
type block struct {
	at         int // index of the session line; its title is on at-1
	title      string
	day        agenda.Date
	start, end time.Time
	rest       string // the session line after the duration: category, then abstract
	stop       int    // index of the first line after the session's own text
	closing    int    // index of the closing category line, or -1
	glued      bool   // the closing category is glued onto the session line
	category   string
	abstract   string
	id         string
	room       int // 1-based
}

func (p *parser) errorf(i int, format string, args ...any) *Error {
	return &Error{File: p.file, Line: i + 1, Msg: fmt.Sprintf(format, args...)}
}

// line returns line i without surrounding blanks.
func (p *parser) line(i int) string { return strings.TrimSpace(p.lines[i]) }

func (p *parser) parse(src []byte) error {
	if err := p.split(src); err != nil {
		return err
	}
	p.heads = headings(p.lines)
	for i, l := range p.lines {
		if !sessionLine(l) {
			continue
		}
		b, err := p.header(i)
		if err != nil {
			return err
		}
		p.blocks = append(p.blocks, b)
	}
	if len(p.blocks) == 0 {
		return p.errorf(len(p.lines)-1, "no session line (like %q) in the file", "October 8: 11:00 am - 11:40 am 40minOperations…")
	}
	p.titles = make(map[string]bool, len(p.blocks))
	for _, b := range p.blocks {
		p.titles[b.title] = true
	}
	p.frame()
	for k, b := range p.blocks {
		if err := p.text(k, b); err != nil {
			return err
		}
		if err := p.check(b); err != nil {
			return err
		}
		if err := p.tail(k, b); err != nil {
			return err
		}
	}
	if err := p.identify(); err != nil {
		return err
	}
	if err := p.classify(); err != nil {
		return err
	}
	p.place()
	return nil
}

// split cuts src into lines and rejects text that no calendar can carry.
func (p *parser) split(src []byte) error {
	text := strings.TrimPrefix(string(src), "\ufeff")
	p.lines = strings.Split(text, "\n")
	if n := len(p.lines); n > 1 && p.lines[n-1] == "" {
		p.lines = p.lines[:n-1] // a final line end does not start a line
	}
	for i, l := range p.lines {
		l = strings.TrimRight(l, " \t\r")
		if !utf8.ValidString(l) {
			return p.errorf(i, "expected UTF-8 text, got invalid bytes")
		}
		for _, r := range l {
			if unicode.IsControl(r) && r != '\t' {
				return p.errorf(i, "expected text, got the control character %U", r)
			}
		}
		p.lines[i] = l
	}
	return nil
}

// Sniff reports whether data looks like the seed's text format: a line in
// its first 64 KiB starts like a session line ("October 8:").
func Sniff(data []byte) bool {
	text := strings.TrimPrefix(string(data[:min(len(data), 64<<10)]), "\ufeff")
	for l := range strings.Lines(text) {
		if sessionLine(strings.TrimSpace(l)) {
			return true
		}
	}
	return false
}

// sessionLine reports whether l starts like a session line: a month's
// name, a space, a day number and a colon ("October 8:").
func sessionLine(l string) bool {
	m, rest, ok := strings.Cut(l, " ")
	if !ok {
		return false
	}
	if _, ok := monthNamed(m); !ok {
		return false
	}
	n := 0
	for n < len(rest) && '0' <= rest[n] && rest[n] <= '9' {
		n++
	}
	return n > 0 && n < len(rest) && rest[n] == ':'
}

func monthNamed(s string) (time.Month, bool) {
	for m := time.January; m <= time.December; m++ {
		if s == m.String() {
			return m, true
		}
	}
	return 0, false
}

// summaryLine reports whether l is the shortened abstract of a summary
// list entry: it ends in "…" and is not a session line.
func summaryLine(l string) bool { return strings.HasSuffix(l, "…") && !sessionLine(l) }

// header reads the title and the session line at index i:
// "October 8: 11:00 am - 11:40 am 40minOperationsDistributed stream…".
func (p *parser) header(i int) (*block, error) {
	b := &block{at: i, closing: -1}
	switch {
	case i == 0:
		return nil, p.errorf(i, "expected the session's title on the line before this session line, got the start of the file")
	case p.line(i-1) == "":
		return nil, p.errorf(i, "expected the session's title on the line before this session line, got an empty line")
	case sessionLine(p.lines[i-1]):
		return nil, p.errorf(i, "expected the session's title on the line before this session line, got another session line")
	}
	b.title = p.line(i - 1)

	c := &cursor{s: p.lines[i]}
	word, _, _ := strings.Cut(c.s, " ")
	month, _ := monthNamed(word)
	c.i = len(word) + 1
	day, _ := c.number(9)
	c.i++ // the colon, checked by sessionLine
	date, err := p.date(month, day)
	if err != nil {
		return nil, p.errorf(i, "%s", err)
	}
	b.day = date

	c.spaces()
	from := c.i
	start, err := c.clock("a start time")
	if err != nil {
		return nil, p.errorf(i, "%s after %q, got %q", err, c.s[:from], clip(c.s[from:]))
	}
	c.spaces()
	if !c.take("-") && !c.take("–") {
		return nil, p.errorf(i, "expected %q between the start and the end time, got %q", " - ", clip(c.s[c.i:]))
	}
	c.spaces()
	endAt := c.i
	end, err := c.clock("an end time")
	if err != nil {
		return nil, p.errorf(i, "%s after %q, got %q", err, strings.TrimSpace(c.s[:endAt]), clip(c.s[endAt:]))
	}
	span := strings.TrimSpace(c.s[from:c.i])
	c.spaces()
	durAt := c.i
	dur, ok := c.duration()
	if !ok {
		return nil, p.errorf(i, "expected a duration like %q or %q after %q, got %q", "40min", "1h 30min", span, clip(c.s[durAt:]))
	}
	stated := c.s[durAt:c.i]
	b.rest = strings.TrimLeft(c.s[c.i:], " ")

	// Wall times in the conference's zone, read as every importer reads
	// them (agenda.LocalTime).
	b.start, _ = agenda.LocalTime(time.Date(date.Year, date.Month, date.Day, start/60, start%60, 0, 0, time.UTC), p.loc)
	b.end, _ = agenda.LocalTime(time.Date(date.Year, date.Month, date.Day, end/60, end%60, 0, 0, time.UTC), p.loc)
	if !b.end.After(b.start) {
		return nil, p.errorf(i, "expected the end time after the start time, got %q", span)
	}
	if got := b.end.Sub(b.start); got != dur {
		return nil, p.errorf(i, "the stated duration %q does not match %q, which lasts %s", stated, span, minutes(got))
	}
	return b, nil
}

// date returns the conference day that is day of month.
func (p *parser) date(month time.Month, day int) (agenda.Date, error) {
	valid := false
	for y := p.conf.First.Year; y <= p.conf.Last.Year; y++ {
		if t := time.Date(y, month, day, 12, 0, 0, 0, time.UTC); t.Day() != day || t.Month() != month {
			continue
		}
		valid = true
		d := agenda.Date{Year: y, Month: month, Day: day}
		if !d.Before(p.conf.First) && !p.conf.Last.Before(d) {
			return d, nil
		}
	}
	if !valid {
		return agenda.Date{}, fmt.Errorf("expected a date, got %s %d", month, day)
	}
	return agenda.Date{}, fmt.Errorf("expected a conference day (%s to %s), got %s %d", p.conf.First, p.conf.Last, month, day)
}

// minutes writes d the way the page does: "40min", "1h 30min".
func minutes(d time.Duration) string {
	m := int(d / time.Minute)
	if m < 60 {
		return fmt.Sprintf("%dmin", m)
	}
	return fmt.Sprintf("%dh %dmin", m/60, m%60)
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max]) + "…"
}

// cursor reads a session line from left to right.
type cursor struct {
	s string
	i int
}

func (c *cursor) spaces() {
	for c.i < len(c.s) && c.s[c.i] == ' ' {
		c.i++
	}
}

// take consumes prefix if the text continues with it.
func (c *cursor) take(prefix string) bool {
	if strings.HasPrefix(c.s[c.i:], prefix) {
		c.i += len(prefix)
		return true
	}
	return false
}

// number reads 1 to max decimal digits.
func (c *cursor) number(max int) (int, bool) {
	j := c.i
	for j < len(c.s) && j-c.i < max && '0' <= c.s[j] && c.s[j] <= '9' {
		j++
	}
	if j == c.i {
		return 0, false
	}
	n, err := strconv.Atoi(c.s[c.i:j])
	if err != nil {
		return 0, false
	}
	c.i = j
	return n, true
}

// clock reads a 12-hour time such as "10:00am" or "12:30 pm" and returns
// minutes since midnight. what names the time in the error.
func (c *cursor) clock(what string) (int, error) {
	start := c.i
	h, ok := c.number(2)
	ok = ok && c.take(":")
	m := 0
	if ok {
		at := c.i
		m, ok = c.number(2)
		ok = ok && c.i-at == 2
	}
	if ok {
		c.spaces()
		ok = len(c.s)-c.i >= 2
	}
	if !ok {
		c.i = start
		return 0, fmt.Errorf("expected %s like %q or %q", what, "10:00am", "11:00 am")
	}
	half := strings.ToLower(c.s[c.i : c.i+2])
	if half != "am" && half != "pm" {
		c.i = start
		return 0, fmt.Errorf("expected %s like %q or %q", what, "10:00am", "11:00 am")
	}
	c.i += 2
	if h < 1 || h > 12 || m > 59 {
		written := c.s[start:c.i]
		c.i = start
		return 0, fmt.Errorf("expected %s (hours 1 to 12, minutes 00 to 59) in place of %q", what, written)
	}
	h %= 12 // 12:xx am is just after midnight, 12:xx pm just after noon
	if half == "pm" {
		h += 12
	}
	return h*60 + m, nil
}

// duration reads "40min", "1h 30min" or "1h 0min".
func (c *cursor) duration() (time.Duration, bool) {
	start := c.i
	n, ok := c.number(4)
	if !ok {
		return 0, false
	}
	if c.take("min") {
		return time.Duration(n) * time.Minute, true
	}
	if !c.take("h") {
		c.i = start
		return 0, false
	}
	c.spaces()
	m, ok := c.number(4)
	if !ok || !c.take("min") {
		c.i = start
		return 0, false
	}
	return time.Duration(n*60+m) * time.Minute, true
}

// frame finds where the text of every session stops and learns the
// categories from the closing category lines.
func (p *parser) frame() {
	known := map[string]bool{}
	for k, b := range p.blocks {
		next, lim := p.next(k)
		b.stop = lim
		for j := b.at + 1; j < lim; j++ {
			if p.gluedTitles(b, j) || next != nil && j == lim-1 && p.line(j) == next.title || p.summaryStart(j) {
				b.stop = j
				break
			}
		}
		if c := b.stop - 1; c > b.at {
			if cand := p.line(c); cand != "" && strings.HasPrefix(b.rest, cand) {
				b.closing = c
				if !known[cand] {
					known[cand] = true
					p.vocab = append(p.vocab, cand)
				}
			}
		}
	}
	slices.SortFunc(p.vocab, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
}

// next returns the session after p.blocks[k] (nil for the last) and the
// index of its title line, or the number of lines for the last session.
func (p *parser) next(k int) (*block, int) {
	if k+1 < len(p.blocks) {
		n := p.blocks[k+1]
		return n, n.at - 1
	}
	return nil, len(p.lines)
}

// gluedTitles reports whether line j is b's title with the next title
// glued to it: "<this title><next title>".
func (p *parser) gluedTitles(b *block, j int) bool {
	x, ok := strings.CutPrefix(p.line(j), b.title)
	if !ok || x == "" {
		return false
	}
	// The next title is a session's, or it follows on the next line (a
	// title whose session line is missing), or the file ends here.
	return p.titles[x] || j+1 < len(p.lines) && p.line(j+1) == x || j == len(p.lines)-1
}

// summaryStart reports whether line j begins a summary list entry: a
// session's title, then a line ending in "…".
func (p *parser) summaryStart(j int) bool {
	return p.titles[p.line(j)] && j+1 < len(p.lines) && summaryLine(p.lines[j+1])
}

// text splits the session line into category and abstract and gathers the
// abstract lines of session k.
func (p *parser) text(k int, b *block) error {
	// The last session must end in its closing category line (or have it
	// glued on): without it, the file is taken to be cut short.
	_, lim := p.next(k)
	truncated := lim == len(p.lines) && b.closing < 0 && b.stop == len(p.lines)
	cutShort := func() error {
		return p.errorf(len(p.lines)-1, "expected the closing category line of the session %q (line %d), got the end of the file; is it cut short?",
			clip(b.title), b.at+1)
	}
	if b.closing >= 0 {
		b.category = p.line(b.closing)
	} else {
		if c := b.stop - 1; c > b.at && slices.Contains(p.vocab, p.line(c)) {
			return p.errorf(b.at, "expected the category %q (as on line %d) after the duration, got %q", p.line(c), c+1, clip(b.rest))
		}
		for _, v := range p.vocab {
			if strings.HasPrefix(b.rest, v) {
				b.category = v
				break
			}
		}
		if b.category == "" && truncated {
			return cutShort()
		}
		if b.category == "" {
			return p.errorf(b.at, "expected a category after the duration (one of %s), got %q", p.categories(), clip(b.rest))
		}
	}
	first := strings.TrimSpace(b.rest[len(b.category):])
	if b.closing < 0 && first == b.category {
		// "40minTechnology Deep DiveTechnology Deep Dive": the abstract
		// is empty and the closing category follows at once.
		b.glued, first = true, ""
	}
	end := b.stop
	if b.closing >= 0 {
		end = b.closing
	}
	if truncated && !b.glued {
		return cutShort()
	}
	parts := append([]string{first}, p.lines[b.at+1:end]...)
	b.abstract = unglueHeadings(unglue(strings.TrimSpace(strings.Join(parts, "\n"))), p.heads)
	return nil
}

// headings returns the headings of abstracts that stand on lines of their
// own: one to three capitalised words and a colon ("Prerequisites:"),
// without the colon, each once.
func headings(lines []string) []string {
	var out []string
	for _, l := range lines {
		h, ok := strings.CutSuffix(strings.TrimSpace(l), ":")
		words := strings.Fields(h)
		if !ok || len(words) == 0 || len(words) > 3 || strings.Join(words, " ") != h || slices.Contains(out, h) {
			continue
		}
		if allCapitalised(words) {
			out = append(out, h)
		}
	}
	return out
}

// allCapitalised reports whether each of words is a capital letter
// followed by lowercase ones.
func allCapitalised(words []string) bool {
	for _, w := range words {
		if len(w) < 2 || w[0] < 'A' || w[0] > 'Z' || strings.Trim(w[1:], "abcdefghijklmnopqrstuvwxyz") != "" {
			return false
		}
	}
	return true
}

// unglueHeadings puts back the line break between a heading the file
// also has on a line of its own and the text glued to it
// ("PrerequisitesIn order to…"): where a line of s begins with one of
// heads followed at once by a capital and a lowercase letter.
func unglueHeadings(s string, heads []string) string {
	if len(heads) == 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		for _, h := range heads {
			if rest, ok := strings.CutPrefix(l, h); ok && len(rest) > 1 && 'A' <= rest[0] && rest[0] <= 'Z' && 'a' <= rest[1] && rest[1] <= 'z' {
				lines[i] = h + "\n" + rest
				break
			}
		}
	}
	return strings.Join(lines, "\n")
}

// unglue puts back the paragraph breaks the scrape lost: a line break
// after a sentence's end (a lowercase letter and ".", "!" or "?") that a
// new sentence follows at once (a capital and a lowercase letter).
func unglue(s string) string {
	isLower := func(c byte) bool { return 'a' <= c && c <= 'z' }
	var b strings.Builder
	last := 0
	for i := 1; i+2 < len(s); i++ {
		if (s[i] == '.' || s[i] == '!' || s[i] == '?') && isLower(s[i-1]) && 'A' <= s[i+1] && s[i+1] <= 'Z' && isLower(s[i+2]) {
			b.WriteString(s[last : i+1])
			b.WriteByte('\n')
			last = i + 1
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// check applies the agenda's rules on text (agenda.CheckTitle and the
// like) to session b, naming the line where the text breaks them: the
// title's, the category's, or the session line, where the abstract starts.
func (p *parser) check(b *block) error {
	category := b.at
	if b.closing >= 0 {
		category = b.closing
	}
	for _, c := range [...]struct {
		line int
		err  error
	}{
		{b.at - 1, agenda.CheckTitle(b.title)},
		{category, agenda.CheckTrackName(b.category)},
		{b.at, agenda.CheckAbstract(b.abstract)},
	} {
		if c.err != nil {
			return p.errorf(c.line, "%v", c.err)
		}
	}
	return nil
}

// categories lists the known categories for an error message.
func (p *parser) categories() string {
	if len(p.vocab) == 0 {
		return "none known: no session block ends in a closing category line"
	}
	q := make([]string, len(p.vocab))
	for i, v := range p.vocab {
		q[i] = strconv.Quote(v)
	}
	slices.Sort(q)
	return strings.Join(q, ", ")
}

// tail checks the lines between the end of session k's text and the next
// title: the line "<this title><next title>", summary list entries (a title,
// then a line ending in "…"), and the next title repeated where a new part
// of the page begins.
func (p *parser) tail(k int, b *block) error {
	next, lim := p.next(k)
	j := b.stop
	if j < lim && p.gluedTitles(b, j) {
		g := j
		x := strings.TrimPrefix(p.line(g), b.title)
		j++
		if !p.titles[x] {
			at := g
			if j < len(p.lines) && p.line(j) == x {
				at = j
			}
			return p.errorf(at, "expected a session line (%q) after the title %q, got none; is the file cut short?", "October N: …", clip(x))
		}
		if next != nil && j == lim && x == next.title {
			return nil
		}
		if j >= lim || !summaryLine(p.lines[j]) {
			got := "the end of the file"
			if j < len(p.lines) {
				got = strconv.Quote(clip(p.lines[j]))
			}
			return p.errorf(min(j, len(p.lines)-1), "expected the shortened abstract of %q (a line ending in %q) after line %d, got %s", clip(x), "…", g+1, got)
		}
		j++
	}
	for j < lim {
		l := p.line(j)
		switch {
		case next != nil && j == lim-1 && l == next.title:
			return nil // the next title, repeated where a new part of the page begins
		case p.summaryStart(j) && j+1 < lim:
			j += 2
		case p.titles[l] && j+1 == len(p.lines):
			return p.errorf(j, "expected the shortened abstract of %q (a line ending in %q) after it, got the end of the file; is it cut short?", clip(l), "…")
		case p.titles[l]:
			return p.errorf(j+1, "expected the shortened abstract of %q (a line ending in %q), got %q", clip(l), "…", clip(p.lines[j+1]))
		default:
			return p.errorf(j, "expected a summary list entry (a session title, then a line ending in %q) or the next session's title, got %q", "…", clip(l))
		}
	}
	return nil
}

// identify gives every session its ID: the slug of its title, numbered -1,
// -2, … in page order when several sessions share the slug.
func (p *parser) identify() error {
	count := map[string]int{}
	for _, b := range p.blocks {
		s := agenda.Slug(b.title)
		if s == "" {
			return p.errorf(b.at-1, "expected a title with letters or digits to make an ID from, got %q", clip(b.title))
		}
		count[s]++
	}
	seen := map[string]int{}
	owner := map[string]*block{}
	for _, b := range p.blocks {
		s := agenda.Slug(b.title)
		b.id = s
		if count[s] > 1 {
			seen[s]++
			b.id = fmt.Sprintf("%s-%d", s, seen[s])
		}
		if o, dup := owner[b.id]; dup {
			return p.errorf(b.at-1, "expected a title whose ID %q is free, but %q (line %d) has it", b.id, clip(o.title), o.at)
		}
		owner[b.id] = b
	}
	return nil
}

// classify turns the categories into tracks in order of first appearance.
func (p *parser) classify() error {
	colors := agenda.Palette()
	byID := map[string]string{}
	for _, b := range p.blocks {
		id := agenda.Slug(b.category)
		if name, ok := byID[id]; ok {
			if name != b.category {
				return p.errorf(b.at, "expected a category distinct from %q, got %q, which makes the same track ID %q", name, b.category, id)
			}
			continue
		}
		switch {
		case id == "":
			return p.errorf(b.at, "expected a category with letters or digits to make a track ID from, got %q", clip(b.category))
		case len(p.tracks) == len(colors):
			return p.errorf(b.at, "expected at most %d categories (one colour each), got another: %q", len(colors), clip(b.category))
		}
		byID[id] = b.category
		p.tracks = append(p.tracks, agenda.Track{ID: id, Name: b.category, Color: colors[len(p.tracks)]})
	}
	return nil
}

// place gives every session a room. Sessions come in column groups: a new
// group begins where a session starts before the one above it on the page
// has ended (the start time goes back) or on another day. Each group, in
// page order, takes the lowest-numbered room of its day where none of its
// sessions overlaps a session already there.
func (p *parser) place() {
	var groups [][]*block
	for i, b := range p.blocks {
		if i == 0 || b.day != p.blocks[i-1].day || b.start.Before(p.blocks[i-1].end) {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], b)
	}
	rooms := map[agenda.Date][][]*block{} // per day, the sessions placed in each room
	for _, g := range groups {
		day := rooms[g[0].day]
		r := 0
		for r < len(day) && overlap(g, day[r]) {
			r++
		}
		if r == len(day) {
			day = append(day, nil)
		}
		day[r] = append(day[r], g...)
		for _, b := range g {
			b.room = r + 1
		}
		rooms[g[0].day] = day
		p.rooms = max(p.rooms, len(day))
	}
}

// overlap reports whether any session of a shares time with one of b.
func overlap(a, b []*block) bool {
	for _, x := range a {
		for _, y := range b {
			if x.start.Before(y.end) && y.start.Before(x.end) {
				return true
			}
		}
	}
	return false
}

func roomID(n int) string { return "room-" + strconv.Itoa(n) }

func (p *parser) contents() agenda.Contents {
	c := agenda.Contents{Conference: p.conf, Tracks: p.tracks}
	for n := 1; n <= p.rooms; n++ {
		c.Rooms = append(c.Rooms, agenda.Room{ID: roomID(n), Name: "Room " + strconv.Itoa(n)})
	}
	for _, b := range p.blocks {
		c.Sessions = append(c.Sessions, agenda.Session{
			ID:           b.id,
			Title:        b.title,
			Start:        b.start,
			End:          b.end,
			Track:        agenda.Slug(b.category),
			Room:         roomID(b.room),
			Abstract:     b.abstract,
			Status:       agenda.StatusConfirmed,
			LastModified: Published(),
		})
	}
	return c
}
