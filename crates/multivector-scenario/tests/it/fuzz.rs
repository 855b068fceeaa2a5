//! Fuzzing by property: no input, however broken, makes a parser panic.

use multivector_scenario::{Format, builtin, load_str, parse_bdm_csv, parse_ktab_csv, parse_toml};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        let _ = multivector_scenario::population::parse("p.toml", &text);
        let _ = multivector_scenario::population::parse_edge_list("e.txt", &text);
        let _ = parse_toml("f.toml", &text);
        let _ = parse_bdm_csv("f.csv", &text);
        let _ = parse_ktab_csv("f.csv", &text);
    }

    #[test]
    fn csv_like_text_never_panics(rows in prop::collection::vec("[A-Za-z0-9 .,;\"\r\n-]{0,40}", 0..8)) {
        let text = rows.join("\n");
        let _ = parse_bdm_csv("f.csv", &format!("Actor,Capability,Position,Salience\n{text}"));
        let _ = parse_ktab_csv("f.csv", &format!("n,d,2,1\nActor,Description,P,X,S\n{text}"));
    }

    /// Single-character edits of the Kazakhstan population file never panic; errors are
    /// located.
    #[test]
    fn edits_of_the_population_file_never_panic(pos in 0usize..9000, ch in any::<char>()) {
        let base = multivector_scenario::population::KAZAKHSTAN;
        let mut cut = pos.min(base.len());
        while !base.is_char_boundary(cut) {
            cut -= 1;
        }
        let text = format!("{}{ch}{}", &base[..cut], &base[cut..]);
        if let Err(errs) = multivector_scenario::population::parse("p.toml", &text) {
            prop_assert!(!errs.errors().is_empty());
            prop_assert!(errs.errors().iter().all(|e| e.hint.is_some()));
        }
    }

    /// Single-character edits of a valid scenario: either it still loads or it reports
    /// located errors; never a panic.
    #[test]
    fn edits_of_a_valid_scenario_never_panic(pos in 0usize..6000, ch in any::<char>(), delete in any::<bool>()) {
        let base = builtin::EC_EMISSIONS;
        let mut cut = pos.min(base.len());
        while !base.is_char_boundary(cut) {
            cut -= 1;
        }
        let mut text = base[..cut].to_string();
        if !delete {
            text.push(ch);
        }
        let rest = &base[cut..];
        let skip = rest.chars().next().map_or(0, char::len_utf8);
        text.push_str(&rest[if delete { skip } else { 0 }..]);
        if let Err(errs) = load_str("e.toml", &text, Format::Toml) {
            for e in errs.errors() {
                prop_assert!(e.location.line.is_some() || e.message.contains("empty"), "{e}");
            }
        }
    }
}
