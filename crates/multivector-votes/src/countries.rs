//! Country names and codes normalised to ISO3.

#[path = "countries_table.rs"]
mod table;

pub use table::MEMBERS;

/// Folds a name for matching: upper case, accents dropped (`Ü` -> `U`, `İ`/`Ý` -> `I`, `Ô` ->
/// `O`), punctuation other than letters and digits turned into single spaces.
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut space = true;
    for c in name.chars() {
        let c = match c {
            'Ü' | 'ü' | 'Ú' | 'ú' | 'Ù' | 'ù' | 'Û' | 'û' => 'U',
            'Ô' | 'ô' | 'Ó' | 'ó' | 'Ò' | 'ò' | 'Ö' | 'ö' => 'O',
            'İ' | 'ı' | 'Í' | 'í' | 'Ì' | 'ì' | 'Î' | 'î' | 'Ý' | 'ý' => 'I',
            'É' | 'é' | 'È' | 'è' | 'Ê' | 'ê' => 'E',
            'Á' | 'á' | 'À' | 'à' | 'Â' | 'â' | 'Ã' | 'ã' => 'A',
            'Ç' | 'ç' => 'C',
            c => c.to_ascii_uppercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    out.trim_end().to_string()
}

/// The ISO3 code of a member state named `name` (any spelling in the table), or of a code
/// that already is one.
pub fn iso3(name: &str) -> Option<&'static str> {
    let f = fold(name);
    if f.len() == 3 {
        if let Some(m) = MEMBERS.iter().find(|m| m.0 == f) {
            return Some(m.0);
        }
    }
    MEMBERS
        .iter()
        .find(|(_, n, aliases)| fold(n) == f || aliases.iter().any(|a| fold(a) == f))
        .map(|m| m.0)
}

/// Whether `code` is the ISO3 code of a member state.
pub fn is_member(code: &str) -> bool {
    MEMBERS.iter().any(|m| m.0 == code)
}

/// EU member states with the dates they joined and, for the United Kingdom, left.
pub const EU: [(&str, &str, Option<&str>); 28] = [
    ("BEL", "1958-01-01", None),
    ("FRA", "1958-01-01", None),
    ("DEU", "1958-01-01", None),
    ("ITA", "1958-01-01", None),
    ("LUX", "1958-01-01", None),
    ("NLD", "1958-01-01", None),
    ("DNK", "1973-01-01", None),
    ("IRL", "1973-01-01", None),
    ("GBR", "1973-01-01", Some("2020-01-31")),
    ("GRC", "1981-01-01", None),
    ("ESP", "1986-01-01", None),
    ("PRT", "1986-01-01", None),
    ("AUT", "1995-01-01", None),
    ("FIN", "1995-01-01", None),
    ("SWE", "1995-01-01", None),
    ("CYP", "2004-05-01", None),
    ("CZE", "2004-05-01", None),
    ("EST", "2004-05-01", None),
    ("HUN", "2004-05-01", None),
    ("LVA", "2004-05-01", None),
    ("LTU", "2004-05-01", None),
    ("MLT", "2004-05-01", None),
    ("POL", "2004-05-01", None),
    ("SVK", "2004-05-01", None),
    ("SVN", "2004-05-01", None),
    ("BGR", "2007-01-01", None),
    ("ROU", "2007-01-01", None),
    ("HRV", "2013-07-01", None),
];

/// EU members on an ISO date (`YYYY-MM-DD`; string comparison is date order).
pub fn eu_members_on(date: &str) -> Vec<&'static str> {
    EU.iter()
        .filter(|(_, from, to)| *from <= date && to.is_none_or(|t| date <= t))
        .map(|m| m.0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_seen_in_the_un_extracts_resolves() {
        for (name, code) in [
            ("TÜRKİYE", "TUR"),
            ("TÜRKÝYE", "TUR"),
            ("TURKEY", "TUR"),
            ("CÔTE D'IVOIRE", "CIV"),
            ("COTE D'IVOIRE", "CIV"),
            ("NETHERLANDS (KINGDOM OF THE)", "NLD"),
            ("DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA", "PRK"),
            ("REPUBLIC OF KOREA", "KOR"),
            ("kaz", "KAZ"),
        ] {
            assert_eq!(iso3(name), Some(code), "{name}");
        }
        assert_eq!(iso3("ATLANTIS"), None);
    }

    #[test]
    fn eu_membership_follows_dates() {
        assert_eq!(eu_members_on("1990-01-01").len(), 12);
        assert!(eu_members_on("2019-12-31").contains(&"GBR"));
        assert!(!eu_members_on("2022-03-02").contains(&"GBR"));
        assert_eq!(eu_members_on("2022-03-02").len(), 27);
    }
}
