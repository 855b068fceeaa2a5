//! The vote table: roll calls by states, stored densely (one byte a cell).

use std::collections::HashMap;

use serde::Serialize;

/// One state's vote on one roll call. Absent (did not vote while a member) and non-member are
/// kept apart; neither counts as a vote in any measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Vote {
    Yes,
    No,
    Abstain,
    /// A member that did not vote (absent or not participating).
    Absent,
    /// Not a member of the UN on that date.
    NonMember,
}

impl Vote {
    /// `Y`, `N`, `A`, `X` (absent) or `-` (non-member).
    pub fn letter(self) -> char {
        match self {
            Vote::Yes => 'Y',
            Vote::No => 'N',
            Vote::Abstain => 'A',
            Vote::Absent => 'X',
            Vote::NonMember => '-',
        }
    }

    /// Reads a letter code (`Y`, `N`, `A`, `X`, `-`).
    pub fn from_letter(s: &str) -> Option<Vote> {
        Some(match s.trim() {
            "Y" | "y" => Vote::Yes,
            "N" | "n" => Vote::No,
            "A" | "a" => Vote::Abstain,
            "X" | "x" => Vote::Absent,
            "-" => Vote::NonMember,
            _ => return None,
        })
    }

    /// Reads Voeten's numeric code: 1 yes, 2 abstain, 3 no, 8 absent, 9 not a member (also
    /// written `1.0` and so on).
    pub fn from_voeten(s: &str) -> Option<Vote> {
        let t = s.trim();
        let t = t.strip_suffix(".0").unwrap_or(t);
        Some(match t {
            "1" => Vote::Yes,
            "2" => Vote::Abstain,
            "3" => Vote::No,
            "8" => Vote::Absent,
            "9" => Vote::NonMember,
            _ => return None,
        })
    }

    /// Position on the three-point scale (yes 1, abstain 2, no 3), for votes cast.
    pub fn scale(self) -> Option<u8> {
        match self {
            Vote::Yes => Some(1),
            Vote::Abstain => Some(2),
            Vote::No => Some(3),
            _ => None,
        }
    }
}

/// One recorded vote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollCall {
    /// Identifier in its source (`voeten:3662`, `unxml:A/RES/ES-11/1`, ...).
    pub id: String,
    /// ISO date `YYYY-MM-DD`.
    pub date: String,
    pub year: i32,
    /// The regular session running on that date (session N opens in September of 1945 + N;
    /// emergency special sessions count in the regular session they fall in).
    pub session: i32,
    /// Resolution symbol when known (`A/RES/ES-11/1`).
    pub label: Option<String>,
    pub title: Option<String>,
    /// Issue flags set on this roll call (Voeten's `me`, `nu`, `di`, `hr`, `co`, `ec`).
    pub flags: Vec<String>,
}

/// The session running on an ISO date.
pub fn session_of(date: &str) -> Option<i32> {
    let year: i32 = date.get(0..4)?.parse().ok()?;
    let month: u32 = date.get(5..7)?.parse().ok()?;
    Some(if month >= 9 { year - 1945 } else { year - 1946 })
}

/// How near (in days) a cast vote must be for an absence to count as a member's absence
/// ([`VoteTable::is_member`]): two years, longer than any member's run of absences in the
/// data and shorter than the time since any dissolved state last voted.
pub const MEMBERSHIP_WINDOW_DAYS: i64 = 730;

/// Days since 0000-03-01 of a `YYYY-MM-DD` date (proleptic Gregorian), for distances.
fn day_number(date: &str) -> Option<i64> {
    let d: jiff::civil::Date = date.get(0..10)?.parse().ok()?;
    let origin = jiff::civil::date(1900, 1, 1);
    Some(i64::from((d - origin).get_days()))
}

/// Roll calls by states. Cells a source says nothing about are `Absent`.
#[derive(Debug, Clone)]
pub struct VoteTable {
    pub states: Vec<String>,
    pub rollcalls: Vec<RollCall>,
    cells: Vec<Vote>,
    /// Duplicate roll calls dropped while reading.
    pub duplicates: usize,
}

impl VoteTable {
    /// The vote of state `s` on roll call `r`.
    #[inline]
    pub fn vote(&self, r: usize, s: usize) -> Vote {
        self.cells[r * self.states.len() + s]
    }

    /// The votes of every state on roll call `r`.
    pub fn row(&self, r: usize) -> &[Vote] {
        let n = self.states.len();
        &self.cells[r * n..(r + 1) * n]
    }

    /// Whether state `s` was a UN member at roll call `r`. A recorded vote (yes, no,
    /// abstain) or a recorded non-membership settles it; an absence counts as membership only
    /// when the state cast a vote on some roll call within [`MEMBERSHIP_WINDOW_DAYS`] of this
    /// one. States that no longer exist (Czechoslovakia, East Germany, Yugoslavia) or did not
    /// yet are thus not counted as "not voting" on a roll call long after or before their
    /// membership: the data sets list every state on every roll call.
    pub fn is_member(&self, r: usize, s: usize) -> bool {
        match self.vote(r, s) {
            Vote::Yes | Vote::No | Vote::Abstain => true,
            Vote::NonMember => false,
            Vote::Absent => {
                let Some(day) = day_number(&self.rollcalls[r].date) else {
                    return true;
                };
                (0..self.rollcalls.len()).any(|q| {
                    matches!(self.vote(q, s), Vote::Yes | Vote::No | Vote::Abstain)
                        && day_number(&self.rollcalls[q].date)
                            .is_some_and(|d| (d - day).abs() <= MEMBERSHIP_WINDOW_DAYS)
                })
            }
        }
    }

    /// Index of a state by ISO3 code.
    pub fn state(&self, code: &str) -> Option<usize> {
        self.states.iter().position(|s| s == code)
    }

    /// The state a user names: an ISO3 code (`KAZ`, any case) or a UN name (`Kazakhstan`).
    pub fn named(&self, raw: &str) -> Option<usize> {
        let code = crate::countries::iso3(raw)
            .map(str::to_string)
            .unwrap_or_else(|| raw.trim().to_ascii_uppercase());
        self.state(&code)
    }

    /// Roll calls whose label matches `symbol` (case and spaces ignored).
    pub fn find(&self, symbol: &str) -> Vec<usize> {
        let want: String = symbol
            .split_whitespace()
            .collect::<String>()
            .to_ascii_uppercase();
        self.rollcalls
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.label.as_ref().is_some_and(|l| {
                    l.split_whitespace()
                        .collect::<String>()
                        .to_ascii_uppercase()
                        == want
                })
            })
            .map(|(k, _)| k)
            .collect()
    }
}

/// Collects roll calls and votes from any reader, dropping duplicate roll calls.
#[derive(Debug, Default)]
pub struct Builder {
    states: Vec<String>,
    index: HashMap<String, usize>,
    rollcalls: Vec<RollCall>,
    /// `votes[r][s]`: the vote recorded for state `s` (insertion index) on roll call `r`.
    votes: Vec<Vec<Option<Vote>>>,
    keys: HashMap<String, usize>,
    duplicates: usize,
}

impl Builder {
    /// Adds a roll call; `None` when one with the same label (or, without a label, the same
    /// id) was added before: the duplicate's votes are to be skipped.
    pub fn rollcall(&mut self, rc: RollCall) -> Option<usize> {
        let key = rc
            .label
            .as_ref()
            .map(|l| format!("label:{}", l.to_ascii_uppercase()))
            .unwrap_or_else(|| format!("id:{}", rc.id));
        if self.keys.contains_key(&key) {
            self.duplicates += 1;
            return None;
        }
        let k = self.rollcalls.len();
        self.keys.insert(key, k);
        self.rollcalls.push(rc);
        self.votes.push(Vec::new());
        Some(k)
    }

    /// Index of a state code, adding it when new.
    pub fn state(&mut self, code: &str) -> usize {
        if let Some(&k) = self.index.get(code) {
            return k;
        }
        let k = self.states.len();
        self.states.push(code.to_string());
        self.index.insert(code.to_string(), k);
        k
    }

    /// Records state `state`'s vote on roll call `rollcall`. The same vote twice is harmless;
    /// a different one is a conflict the file must settle: `Err` with the vote recorded
    /// first, and the first is kept (nothing is overwritten silently).
    pub fn vote(&mut self, rollcall: usize, state: usize, v: Vote) -> Result<(), Vote> {
        let row = &mut self.votes[rollcall];
        if row.len() <= state {
            row.resize(state + 1, None);
        }
        match row[state] {
            Some(prev) if prev != v => Err(prev),
            _ => {
                row[state] = Some(v);
                Ok(())
            }
        }
    }

    /// The table, roll calls in date order (stable), states in code order.
    pub fn finish(self) -> VoteTable {
        let mut order: Vec<usize> = (0..self.states.len()).collect();
        order.sort_by(|&a, &b| self.states[a].cmp(&self.states[b]));
        let mut new_index = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let states: Vec<String> = order.iter().map(|&k| self.states[k].clone()).collect();
        let mut rorder: Vec<usize> = (0..self.rollcalls.len()).collect();
        rorder.sort_by(|&a, &b| self.rollcalls[a].date.cmp(&self.rollcalls[b].date));
        let n = states.len();
        let mut cells = vec![Vote::Absent; rorder.len() * n];
        let mut rollcalls = Vec::with_capacity(rorder.len());
        for (r, &old) in rorder.iter().enumerate() {
            for (s, v) in self.votes[old].iter().enumerate() {
                if let Some(v) = v {
                    cells[r * n + new_index[s]] = *v;
                }
            }
            rollcalls.push(self.rollcalls[old].clone());
        }
        VoteTable {
            states,
            rollcalls,
            cells,
            duplicates: self.duplicates,
        }
    }
}
