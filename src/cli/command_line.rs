//! The command line as the evidence pack records it: its shape, never its
//! values. Subcommands and flag names are kept; every value (a flag's value,
//! a positional argument, anything after `--`) becomes [`VALUE`]. What was
//! judged is recorded elsewhere in the pack (the inputs with their hashes, the
//! effective config), so no value is needed, and none can leak a secret that
//! a word list would miss.

use clap::CommandFactory;

use super::Cli;

/// What a value is recorded as.
pub(crate) const VALUE: &str = "<value>";

/// The shape of `args` (`std::env::args()`, program name first), parsed with
/// the same clap definition that accepted it.
pub(crate) fn shape(args: &[String]) -> Vec<String> {
    let root = Cli::command();
    let mut command = &root;
    let mut out = vec!["alertpath".to_string()];
    let mut tokens = args.iter().skip(1);
    while let Some(token) = tokens.next() {
        if token == "--" {
            out.push(token.clone());
            out.extend(tokens.by_ref().map(|_| VALUE.to_string()));
        } else if let Some(long) = token.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, _)) => (name, true),
                None => (long, false),
            };
            let Some(arg) = command.get_arguments().find(|a| {
                a.get_long() == Some(name)
                    || a.get_all_aliases().is_some_and(|all| all.contains(&name))
            }) else {
                out.push(format!("--{}", flag_name(name)));
                continue;
            };
            if inline {
                out.push(format!("--{name}={VALUE}"));
            } else {
                out.push(token.clone());
                if takes_value(arg) && tokens.next().is_some() {
                    out.push(VALUE.to_string());
                }
            }
        } else if let Some(shorts) = token.strip_prefix('-').filter(|s| !s.is_empty()) {
            out.push(short_flags(command, shorts, &mut || {
                tokens.next().is_some()
            }));
        } else if let Some(sub) = command.find_subcommand(token) {
            out.push(sub.get_name().to_string());
            command = sub;
        } else {
            out.push(VALUE.to_string());
        }
    }
    out
}

/// A cluster of short flags (`-qv`, `-ofile`, `-o file`): flags kept, a value
/// (inline, or the next token, consumed through `next_is_value`) replaced.
fn short_flags(
    command: &clap::Command,
    shorts: &str,
    next_is_value: &mut dyn FnMut() -> bool,
) -> String {
    let mut recorded = String::from("-");
    for (at, c) in shorts.char_indices() {
        let arg = command.get_arguments().find(|a| a.get_short() == Some(c));
        recorded.push(if arg.is_some() { c } else { '?' });
        if arg.is_some_and(takes_value) {
            let rest = &shorts[at + c.len_utf8()..];
            if !rest.is_empty() {
                recorded.push_str(VALUE);
            } else if next_is_value() {
                recorded.push(' ');
                recorded.push_str(VALUE);
            }
            break;
        }
    }
    recorded
}

fn takes_value(arg: &clap::Arg) -> bool {
    arg.get_num_args().is_some_and(|n| n.takes_values())
}

/// A flag name clap accepted but this shape does not know (clap's own
/// `--help`/`--version`): kept only if it is a plain name.
fn flag_name(name: &str) -> &str {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        name
    } else {
        "?"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shaped(list: &[&str]) -> Vec<String> {
        let args: Vec<String> = list.iter().map(|s| (*s).to_string()).collect();
        shape(&args)
    }

    #[test]
    fn keeps_flags_and_subcommands_and_drops_every_value() {
        assert_eq!(
            shaped(&[
                "/usr/local/bin/alertpath",
                "scan",
                "--terraform",
                "infra/prod",
                "--var",
                "pagerduty_key=0123456789abcdef",
                "--var=region=eu-west-1",
                "--external-id",
                "Zq7Kx2",
                "--regions",
                "eu-west-1,us-east-1",
                "--evidence",
                "pack",
                "--quiet",
            ]),
            [
                "alertpath",
                "scan",
                "--terraform",
                VALUE,
                "--var",
                VALUE,
                "--var=<value>",
                "--external-id",
                VALUE,
                "--regions",
                VALUE,
                "--evidence",
                VALUE,
                "--quiet",
            ]
        );
    }

    #[test]
    fn short_flags_keep_their_letter_and_lose_their_value() {
        let shaped = shaped(&["alertpath", "scan", "-q", "--snapshot", "org.json"]);
        assert_eq!(shaped, ["alertpath", "scan", "-q", "--snapshot", VALUE]);
    }

    #[test]
    fn a_value_that_looks_like_a_subcommand_is_still_a_value() {
        // `scan` after `--snapshot` is the file name, not a subcommand.
        assert_eq!(
            shaped(&["alertpath", "scan", "--snapshot", "scan", "--", "x"]),
            ["alertpath", "scan", "--snapshot", VALUE, "--", VALUE]
        );
    }
}
