//! Whether to colour output: `--color auto|always|never` and `NO_COLOR`
//! (<https://no-color.org>), decided once for the binary's log lines and for
//! clap's help and errors, which are written before `--color` is parsed.

use clap::{ColorChoice, ValueEnum};

/// `--color WHEN` or `--color=WHEN` among `args` (before a `--`); auto when
/// absent or not a choice (clap then reports it).
pub fn asked(args: impl Iterator<Item = std::ffi::OsString>) -> ColorChoice {
    let mut args = args.map(|arg| arg.to_string_lossy().into_owned());
    let mut asked = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--" => break,
            "--color" => asked = args.next(),
            _ => {
                if let Some(value) = arg.strip_prefix("--color=") {
                    asked = Some(value.to_string());
                }
            }
        }
    }
    asked
        .and_then(|value| ColorChoice::from_str(&value, false).ok())
        .unwrap_or(ColorChoice::Auto)
}

/// Whether to colour: as asked, or on a terminal when `NO_COLOR` is unset
/// or empty (<https://no-color.org>).
pub fn wanted(choice: ColorChoice, terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && no_color.is_none_or(|value| value.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_is_as_asked_or_a_terminal_without_no_color() {
        let set = Some(std::ffi::OsStr::new("1"));
        let empty = Some(std::ffi::OsStr::new(""));
        assert!(wanted(ColorChoice::Auto, true, None));
        assert!(wanted(ColorChoice::Auto, true, empty));
        assert!(!wanted(ColorChoice::Auto, true, set));
        assert!(!wanted(ColorChoice::Auto, false, None));
        assert!(wanted(ColorChoice::Always, false, set));
        assert!(!wanted(ColorChoice::Never, true, None));
    }

    #[test]
    fn the_color_flag_is_read_before_parsing() {
        let asked = |args: &[&str]| asked(args.iter().map(std::ffi::OsString::from));
        assert_eq!(asked(&["--color", "never", "query"]), ColorChoice::Never);
        assert_eq!(asked(&["query", "--color=always"]), ColorChoice::Always);
        assert_eq!(asked(&["query"]), ColorChoice::Auto);
        assert_eq!(asked(&["--color", "sometimes"]), ColorChoice::Auto);
        assert_eq!(asked(&["sql", "--", "--color=always"]), ColorChoice::Auto);
    }
}
