package store

// The statements that differ between SQLite and PostgreSQL, per dialect. Everything else is
// one SQL text for both (PostgreSQL's handler rebinds the placeholders). A statement goes
// here only when the two databases cannot share it.
type dialect struct {
	// engagementStandards is an engagement's standards as "a,b" in their order (correlated
	// on e.id).
	engagementStandards string
	// nocase wraps an expression so that it compares and orders like SQLite's COLLATE NOCASE
	// (ASCII letters folded, bytes otherwise).
	nocase func(expr string) string
	// chainHead is the hash of the history's last row (the genesis hash when empty), whatever
	// rows the caller may read.
	chainHead string
	// chainCounter is the last history row number ever handed out.
	chainCounter string
	// packChainHead is the history's length up to its last row that does not record a pack
	// written, and that row's hash (no row when there is none), whatever rows the caller
	// may read.
	packChainHead string
	// chainEnd is the number and hash of the history's last row (no row when empty),
	// whatever rows the caller may read.
	chainEnd string
	// chainPrev is the hash of the last row before row ? (the genesis hash when none),
	// whatever rows the caller may read.
	chainPrev string
	// contains is a test that text needle occurs in text hay.
	contains func(hay, needle string) string
	// indexed reads the history through the named index: SQLite's INDEXED BY (its planner
	// does not know the distribution of engagements), PostgreSQL's planner chooses itself.
	indexed func(index string) string
}

var sqliteDialect = dialect{
	engagementStandards: `(SELECT group_concat(standard, ',') FROM (SELECT standard FROM engagement_standards es WHERE es.engagement_id = e.id ORDER BY position))`,
	nocase:              func(expr string) string { return expr + " COLLATE NOCASE" },
	chainHead:           "SELECT coalesce((SELECT hash FROM changes ORDER BY seq DESC LIMIT 1), '" + genesisHash + "')",
	chainCounter:        "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'changes'), 0)",
	packChainHead: `SELECT (SELECT count(*) FROM changes c WHERE c.seq <= l.seq), l.hash
		FROM (SELECT seq, hash FROM changes WHERE entity <> '` + PackEntity + `' ORDER BY seq DESC LIMIT 1) AS l`,
	chainEnd:  "SELECT seq, hash FROM changes ORDER BY seq DESC LIMIT 1",
	chainPrev: "SELECT coalesce((SELECT hash FROM changes WHERE seq < ? ORDER BY seq DESC LIMIT 1), '" + genesisHash + "')",
	contains:  func(hay, needle string) string { return "instr(" + hay + ", " + needle + ") > 0" },
	indexed: func(index string) string {
		if index == "" {
			return "changes NOT INDEXED"
		}
		return "changes INDEXED BY " + index
	},
}

var postgresDialect = dialect{
	engagementStandards: `(SELECT string_agg(standard, ',' ORDER BY position) FROM engagement_standards es WHERE es.engagement_id = e.id)`,
	nocase:              func(expr string) string { return "annex_nocase(" + expr + ")" },
	chainHead:           "SELECT annex_chain_head()",
	chainCounter:        "SELECT annex_chain_counter()",
	packChainHead:       "SELECT length, head FROM annex_pack_chain_head()",
	chainEnd:            "SELECT seq, hash FROM annex_chain_end()",
	chainPrev:           "SELECT annex_chain_prev(?)",
	contains:            func(hay, needle string) string { return "strpos(" + hay + ", " + needle + ") > 0" },
	indexed:             func(string) string { return "changes" },
}

func (s *Store) dialect() *dialect {
	if s.pg {
		return &postgresDialect
	}
	return &sqliteDialect
}

func (s *Store) nocase(expr string) string { return s.dialect().nocase(expr) }

// nocase for code that holds only a Handler: PostgreSQL's handler is a pgHandler.
func nocase(h Handler, expr string) string {
	if _, ok := h.(pgHandler); ok {
		return postgresDialect.nocase(expr)
	}
	return sqliteDialect.nocase(expr)
}
