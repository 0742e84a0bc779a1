// Package seeds turns source documents into agenda contents. Its first and
// only source is the text scrape of the Flink Forward Berlin 2019 agenda page
// (flink-forward-berlin-2019.txt, embedded; see FlinkForwardBerlin2019 and
// Default).
//
// # The format
//
// The scrape is the page's visible text, one paragraph a line. A session is
// a title line followed by a session line:
//
//	Apache Flink Worst Practices
//	October 8: 11:00 am - 11:40 am 40minOperationsDistributed stream processing is …
//	In this talk, I would like to share anecdotes …
//	As Head of Product for Ververica Platform Konstantin is …
//	Operations
//	Apache Flink Worst PracticesUnlocking the next wave of applications with Stream Processing
//	Unlocking the next wave of applications with Stream Processing
//	October 8: 11:50 am - 12:30 pm40minTechnology Deep DiveTechnology Deep Dive
//
// Every line that starts with a month's name, a day and a colon ("October
// 8:") is a session line, and nothing else makes a session. It holds the
// day, the start and end times, the stated duration, and then, glued
// together, the category and the first paragraph of the abstract. The
// abstract goes on over the following lines, speaker bios included (the page
// has no speaker fields, so none are made up), until the block ends. A block
// normally ends in a closing line that repeats the category, then a line
// with this title and the next title glued together, then the next title.
// Lines before the first title are the page header and are skipped.
//
// # How each quirk is read
//
//   - Times are in the conference's time zone and written both as "10:00am"
//     and "11:00 am"; "12:00 pm" is noon, "12:xx am" just after midnight.
//     The year comes from the conference; the day must be one of its days.
//   - The duration reads "40min", "1h 30min" or "1h 0min", sometimes with a
//     space before it. It must equal end − start: a mismatch is an error.
//   - The category is glued between the duration and the abstract
//     ("40minTechnology Deep DiveMachine learning…"), so the list of
//     categories is not written into the parser but learnt from the file:
//     a closing line that the session line's text after the duration starts
//     with is a category. Each session line is then split after the category
//     its own block closes with, or, where the block has no closing line,
//     after the longest known category it starts with. A block whose last
//     line is a known category that does not begin its session line is an
//     error, and so is a session line that begins with no known category.
//   - One session line has a space between category and abstract
//     ("40minCommunity The Flink community…"): blanks around the category
//     are dropped, and the track's name is the category without them.
//   - Some abstracts are empty: the session line ends in its category twice
//     ("40minTechnology Deep DiveTechnology Deep Dive", "1h 0minOtherOther"),
//     which is the category followed at once by its closing line.
//   - Some blocks have no closing category line (the coffee break on October
//     8, "Flinking, Fast and Slow" and "AStream" on October 9): they end
//     where a new part of the page begins, which repeats the next title on
//     two lines. Only the last session of the file must have its closing
//     line (or its category twice on the session line); without it the
//     file is taken to be cut short.
//   - The page repeats sessions in summary lists: a session's title, then
//     its abstract shortened to one line ending in "…". A list begins right
//     after a block, its first title glued to the block's title. Those
//     entries are neither sessions nor abstract text. An entry is only
//     recognised as a session's title followed by a "…" line: "…" alone
//     marks nothing, as one real abstract line ends in "…" ("… DNA…").
//   - The scrape lost some paragraph breaks inside abstracts: one sentence
//     ends and the next paragraph begins without even a space ("… to solve
//     real problems.Course Content", "… is required.You will need …").
//     Where a lowercase letter and ".", "!" or "?" are followed at once by
//     a capital and a lowercase letter, the line break is put back. A
//     heading is glued to its text without a stop ("PrerequisitesIn order
//     to"); the headings are learnt from the file, as lines of one to
//     three capitalised words and a colon ("Prerequisites:"), and where a
//     line of an abstract begins with one that a capital and a lowercase
//     letter follow at once, the line break is put back after it.
//   - The four trainings appear four times each, once per time slot; every
//     slot is its own session.
//
// # Identity
//
// A session's ID is agenda.Slug of its title; when several sessions have
// the same slug they are numbered in page order, so the four slots of the
// developer training are apache-flink-developer-training-1 to -4. IDs never depend on time or room, so a moved session
// keeps its ID and its calendar UID (agenda.Snapshot.UID). A track's ID is
// the slug of its category; tracks get colours from a fixed palette in order
// of first appearance.
//
// # Rooms
//
// The page names no rooms, so rooms are numbered, never named after a venue.
// Sessions are listed in column groups: a new group begins on the page where
// a session starts before the one listed above it has ended (on this page,
// wherever the start time goes back) or on a new day. The groups of a day,
// in page order, each take the lowest-numbered room ("Room 1", "Room 2", …;
// IDs room-1, room-2, …) where none of their sessions overlaps one already
// placed there that day. Groups running in parallel thus get parallel rooms,
// and the plenary groups that fill the gaps of the first column (welcome,
// keynotes, lunch talks, the coffee break, breakfast) share the main room,
// Room 1.
//
// # Errors
//
// Lines may end in LF or CRLF; text must be UTF-8 without control
// characters (C0, DEL or C1) other than tab, as calendars cannot carry them
// and a terminal would obey them. Titles, categories and abstracts must
// follow the agenda's rules on text (agenda.CheckTitle, CheckTrackName,
// CheckAbstract: a title of at most agenda.MaxTitleLength characters, no
// tab in a title or category…), so a file is refused as the admin API would
// refuse the same text. Any problem is reported as an *Error with the file
// name and the line, and says what was expected there. Parse never panics.
package seeds
