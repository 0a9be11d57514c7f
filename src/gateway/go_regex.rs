//! A route rule's pattern as the model-router plugin reads it: Go's `regexp` (RE2
//! syntax and limits), searched in the last user message.
//!
//! Three things differ from the Rust `regex` crate's defaults, and each is made Go's
//! here. Syntax: what the crate accepts and Go does not is refused (`Re2Only`).
//! Meaning: `\d`, `\w`, `\s` and `\b` are ASCII in Go, Unicode in the crate, so the
//! pattern is rewritten with ASCII classes before it is compiled (which also keeps
//! `\w{1000}z`, valid in Go, from blowing up to 300,000 states). Limits: Go's (repeat
//! counts up to 1000, also multiplied through nesting; nesting up to 1000 deep), plus
//! our own bound on the compiled size, because the gateway runs every rule on every
//! `higress/auto` request in an NFA simulation whose cost grows with it: a rule may
//! compile to at most [`RULE_STATES`] states and all rules together to at most
//! [`TOTAL_STATES`], which keeps `route test` (and the gateway) well under a second
//! on the largest message a command line can carry.

use std::collections::HashMap;

use regex_automata::Input;
use regex_automata::hybrid;
use regex_automata::nfa::thompson::pikevm::PikeVM;
use regex_automata::nfa::thompson::{NFA, WhichCaptures};

/// Go's `maxRepeat` and its `maxHeight`.
const MAX_REPEAT: u32 = 1000;
const NEST_LIMIT: u32 = 1000;
/// States of one rule's compiled NFA.
pub const RULE_STATES: usize = 10_000;
/// States of all rules together.
pub const TOTAL_STATES: usize = 40_000;
/// Memory the crate may use to compile and search one rule: above what the state
/// bounds allow, so the bounds decide.
const BYTES_LIMIT: usize = 64 << 20;

/// A rule pattern, checked and compiled as Go reads it.
#[derive(Debug, Clone)]
pub struct Rule {
    nfa: NFA,
    /// Size of the compiled NFA: the cost of matching grows with it.
    pub states: usize,
    /// For a large rule, literals one of which ends every match: a text holding none
    /// of them cannot match, and the search that would find so is the costly kind
    /// (`(a|b){900}x` over a long run of `a`s visits hundreds of wide states).
    suffixes: Option<std::sync::Arc<[Vec<u8>]>>,
}

/// Rules from this size up get their required suffixes checked before the search.
const LARGE_RULE_STATES: usize = 500;

impl Rule {
    fn new(nfa: NFA, go: &str) -> Self {
        let states = nfa.states().len();
        let suffixes = (states >= LARGE_RULE_STATES)
            .then(|| required_suffixes(go))
            .flatten();
        Rule {
            nfa,
            states,
            suffixes,
        }
    }

    /// Searched with a lazy DFA over the rule's NFA, which computes only the states the
    /// text visits: a rule is asked once or a few times per process, so a full DFA (or
    /// the `regex` crate's engines, each compiling the pattern again) costs more than
    /// the search (1,000 rules: 3.1 G instructions, against 0.3 G this way).
    pub fn is_match(&self, text: &str) -> bool {
        if let Some(suffixes) = &self.suffixes
            && !suffixes
                .iter()
                .any(|s| memchr::memmem::find(text.as_bytes(), s).is_some())
        {
            return false;
        }
        let input = Input::new(text).earliest(true);
        let lazy = hybrid::dfa::DFA::builder()
            .configure(hybrid::dfa::Config::new().cache_capacity(BYTES_LIMIT))
            .build_from_nfa(self.nfa.clone());
        if let Ok(dfa) = lazy
            && let Ok(found) = dfa.try_search_fwd(&mut dfa.create_cache(), &input)
        {
            return found.is_some();
        }
        // The lazy DFA gives up only on what it cannot search (it quits on a Unicode
        // word boundary, which our ASCII reading never leaves): the NFA itself can.
        PikeVM::new_from_nfa(self.nfa.clone())
            .is_ok_and(|vm| vm.is_match(&mut vm.create_cache(), input))
    }
}

/// Checks `pattern` against Go's syntax and limits and our size bound, and compiles
/// it; the error says what is wrong, in the user's terms.
pub fn compile(pattern: &str) -> Result<Rule, String> {
    if pattern.is_empty() {
        return Err("the pattern is empty (the plugin skips such rules)".into());
    }
    let invalid =
        |e: &dyn std::fmt::Display| format!("invalid regular expression {pattern:?}:\n{e}");
    let ast = ast(pattern).map_err(|e| invalid(&e))?;
    regex_syntax::ast::visit(&ast, Re2Only::default()).map_err(|what| {
        format!(
            "{pattern:?} uses {what}, which the model-router's Go RE2 does not support; write it without"
        )
    })?;
    let go = as_go_reads(pattern, &ast);
    let nfa = nfa(&go).map_err(|e| invalid(&e))?;
    let states = nfa.states().len();
    if states > RULE_STATES {
        return Err(format!(
            "{pattern:?} compiles to {states} states; a rule may have at most {RULE_STATES}, since the gateway runs every rule on every request: split it into simpler rules"
        ));
    }
    Ok(Rule::new(nfa, &go))
}

/// The compiled rule for a pattern already in the folder, once per process: `route
/// list` and `route test` run every rule, and compiling costs more than matching.
/// `None` for a pattern that does not compile (the plugin skips those).
pub fn matcher(pattern: &str) -> Option<Rule> {
    thread_local! {
        static COMPILED: std::cell::RefCell<HashMap<String, Option<Rule>>> = Default::default();
    }
    COMPILED.with(|cache| {
        cache
            .borrow_mut()
            .entry(pattern.to_string())
            .or_insert_with(|| {
                let (go, nfa) = folder_nfa(pattern)?;
                Some(Rule::new(nfa, &go))
            })
            .clone()
    })
}

/// The size of a pattern already in the folder, without caching it: what `route add`
/// sums over every rule to keep them all within [`TOTAL_STATES`]. `None` for a pattern
/// that does not compile (the plugin skips those).
pub fn states_of(pattern: &str) -> Option<usize> {
    folder_nfa(pattern).map(|(_, nfa)| nfa.states().len())
}

/// A pattern already in the folder as Go reads it, and its NFA; `None` when it does
/// not compile.
fn folder_nfa(pattern: &str) -> Option<(String, NFA)> {
    let go = as_go_reads(pattern, &ast(pattern).ok()?);
    let nfa = nfa(&go).ok()?;
    Some((go, nfa))
}

fn ast(pattern: &str) -> Result<regex_syntax::ast::Ast, Box<regex_syntax::ast::Error>> {
    regex_syntax::ast::parse::ParserBuilder::new()
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(pattern)
        .map_err(Box::new)
}

/// Literals one of which ends every match of `go`, when there are such (none for a
/// rule that can match the empty text or ends in a large class).
fn required_suffixes(go: &str) -> Option<std::sync::Arc<[Vec<u8>]>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new()
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(go)
        .ok()?;
    let seq = Extractor::new().kind(ExtractKind::Suffix).extract(&hir);
    let literals = seq.literals()?;
    if literals.is_empty() || literals.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    Some(literals.iter().map(|l| l.as_bytes().to_vec()).collect())
}

fn nfa(pattern: &str) -> Result<NFA, Box<regex_automata::nfa::thompson::BuildError>> {
    // One compiler per thread: a new one sets up its UTF-8 state cache from scratch,
    // which costs more than compiling a small rule (10x, summed over 1,000 rules).
    thread_local! {
        static COMPILER: regex_automata::nfa::thompson::Compiler = {
            let mut compiler = NFA::compiler();
            compiler
                .syntax(regex_automata::util::syntax::Config::new().nest_limit(NEST_LIMIT))
                .configure(
                    NFA::config()
                        .which_captures(WhichCaptures::None)
                        .nfa_size_limit(Some(BYTES_LIMIT)),
                );
            compiler
        };
    }
    COMPILER.with(|c| c.build(pattern).map_err(Box::new))
}

/// `pattern` with Go's ASCII meaning of `\d \w \s \D \W \S` and `\b \B` spelled
/// out, so the Unicode-minded crate matches what Go matches.
fn as_go_reads(pattern: &str, ast: &regex_syntax::ast::Ast) -> String {
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let _ = regex_syntax::ast::visit(ast, AsciiClasses { edits: &mut edits });
    edits.sort_by_key(|(start, _, _)| *start);
    let mut out = String::with_capacity(pattern.len() + 16 * edits.len());
    let mut at = 0;
    for (start, end, replacement) in edits {
        out.push_str(&pattern[at..start]);
        out.push_str(&replacement);
        at = end;
    }
    out.push_str(&pattern[at..]);
    out
}

struct AsciiClasses<'a> {
    edits: &'a mut Vec<(usize, usize, String)>,
}

/// Go's Perl classes: `\d` [0-9], `\w` [0-9A-Za-z_], `\s` [\t\n\f\r ].
fn perl_ranges(kind: &regex_syntax::ast::ClassPerlKind) -> &'static str {
    use regex_syntax::ast::ClassPerlKind;
    match kind {
        ClassPerlKind::Digit => "0-9",
        ClassPerlKind::Word => "0-9A-Za-z_",
        ClassPerlKind::Space => r"\t\n\x0C\r ",
    }
}

impl regex_syntax::ast::Visitor for AsciiClasses<'_> {
    type Output = ();
    type Err = ();

    fn finish(self) -> Result<(), ()> {
        Ok(())
    }

    fn visit_pre(&mut self, ast: &regex_syntax::ast::Ast) -> Result<(), ()> {
        use regex_syntax::ast::{AssertionKind, Ast};
        match ast {
            Ast::ClassPerl(class) => {
                let negate = if class.negated { "^" } else { "" };
                self.edits.push((
                    class.span.start.offset,
                    class.span.end.offset,
                    format!("[{negate}{}]", perl_ranges(&class.kind)),
                ));
            }
            Ast::Assertion(a) if a.kind == AssertionKind::WordBoundary => {
                self.edits
                    .push((a.span.start.offset, a.span.end.offset, r"(?-u:\b)".into()));
            }
            Ast::Assertion(a) if a.kind == AssertionKind::NotWordBoundary => {
                self.edits
                    .push((a.span.start.offset, a.span.end.offset, r"(?-u:\B)".into()));
            }
            _ => {}
        }
        Ok(())
    }

    fn visit_class_set_item_pre(
        &mut self,
        item: &regex_syntax::ast::ClassSetItem,
    ) -> Result<(), ()> {
        if let regex_syntax::ast::ClassSetItem::Perl(class) = item {
            // Inside a class: the ranges themselves, or a nested negated class.
            let replacement = if class.negated {
                format!("[^{}]", perl_ranges(&class.kind))
            } else {
                perl_ranges(&class.kind).to_string()
            };
            self.edits
                .push((class.span.start.offset, class.span.end.offset, replacement));
        }
        Ok(())
    }
}

/// Rejects what the Rust `regex` crate accepts but Go's `regexp` does not, or reads
/// another way: the flags `x`, `u` and `R`, `\<`/`\>`/`\b{…}` boundaries, repeat
/// counts over 1000 (also when nested repeats multiply past it), `\u`/`\U` escapes,
/// `\p{key=value}`, nested classes and the class operators `&&`, `--`, `~~` (Go reads
/// those brackets and signs literally).
#[derive(Default)]
struct Re2Only {
    /// The repeat counts of the repetitions being visited, outermost first.
    repeats: Vec<u32>,
}

impl regex_syntax::ast::Visitor for Re2Only {
    type Output = ();
    type Err = String;

    fn finish(self) -> Result<(), String> {
        Ok(())
    }

    fn visit_pre(&mut self, ast: &regex_syntax::ast::Ast) -> Result<(), String> {
        use regex_syntax::ast::{
            AssertionKind as A, Ast, GroupKind, RepetitionKind, RepetitionRange,
        };
        match ast {
            Ast::Flags(set) => re2_flags(&set.flags),
            Ast::Group(group) => match &group.kind {
                GroupKind::NonCapturing(flags) => re2_flags(flags),
                GroupKind::CaptureName {
                    starts_with_p: false,
                    ..
                } => Err("a `(?<name>…)` group (Go before 1.22 needs `(?P<name>…)`)".into()),
                _ => Ok(()),
            },
            Ast::Assertion(assertion) => match assertion.kind {
                A::WordBoundaryStart
                | A::WordBoundaryEnd
                | A::WordBoundaryStartAngle
                | A::WordBoundaryEndAngle
                | A::WordBoundaryStartHalf
                | A::WordBoundaryEndHalf => Err(format!(
                    "the word-boundary assertion at {} (only `\\b` and `\\B` exist in RE2)",
                    assertion.span.start.offset
                )),
                _ => Ok(()),
            },
            Ast::Repetition(rep) => {
                let count = match &rep.op.kind {
                    RepetitionKind::Range(
                        RepetitionRange::Exactly(n)
                        | RepetitionRange::AtLeast(n)
                        | RepetitionRange::Bounded(_, n),
                    ) => *n,
                    _ => 1,
                };
                if count > MAX_REPEAT {
                    return Err(format!(
                        "the repeat count {count} (RE2 allows at most 1000)"
                    ));
                }
                let product = self.repeats.iter().fold(u64::from(count), |p, n| {
                    p.saturating_mul(u64::from((*n).max(1)))
                });
                self.repeats.push(count);
                if product > u64::from(MAX_REPEAT) {
                    return Err(format!(
                        "nested repeats that multiply to {product} (RE2 allows at most 1000 in all)"
                    ));
                }
                Ok(())
            }
            Ast::Literal(literal) => re2_literal(literal),
            Ast::ClassUnicode(class) => re2_unicode_class(class),
            _ => Ok(()),
        }
    }

    fn visit_post(&mut self, ast: &regex_syntax::ast::Ast) -> Result<(), String> {
        if matches!(ast, regex_syntax::ast::Ast::Repetition(_)) {
            self.repeats.pop();
        }
        Ok(())
    }

    fn visit_class_set_item_pre(
        &mut self,
        item: &regex_syntax::ast::ClassSetItem,
    ) -> Result<(), String> {
        use regex_syntax::ast::ClassSetItem;
        match item {
            ClassSetItem::Bracketed(_) => Err(
                "a class nested in a class (`[a[b]]`; RE2 reads the inner `[` literally)".into(),
            ),
            ClassSetItem::Literal(literal) => re2_literal(literal),
            ClassSetItem::Unicode(class) => re2_unicode_class(class),
            _ => Ok(()),
        }
    }

    fn visit_class_set_binary_op_pre(
        &mut self,
        _op: &regex_syntax::ast::ClassSetBinaryOp,
    ) -> Result<(), String> {
        Err("a class operator (`&&`, `--` or `~~`; RE2 reads them literally)".into())
    }
}

fn re2_flags(flags: &regex_syntax::ast::Flags) -> Result<(), String> {
    use regex_syntax::ast::{Flag, FlagsItemKind};
    for item in &flags.items {
        if let FlagsItemKind::Flag(flag @ (Flag::Unicode | Flag::CRLF | Flag::IgnoreWhitespace)) =
            item.kind
        {
            let letter = match flag {
                Flag::Unicode => 'u',
                Flag::CRLF => 'R',
                _ => 'x',
            };
            return Err(format!(
                "the flag `{letter}` (RE2 knows only i, m, s and U)"
            ));
        }
    }
    Ok(())
}

fn re2_literal(literal: &regex_syntax::ast::Literal) -> Result<(), String> {
    use regex_syntax::ast::{HexLiteralKind, LiteralKind};
    match literal.kind {
        LiteralKind::HexFixed(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong) => {
            Err("a `\\u`/`\\U` escape (RE2 writes code points as `\\x{…}`)".into())
        }
        _ => Ok(()),
    }
}

fn re2_unicode_class(class: &regex_syntax::ast::ClassUnicode) -> Result<(), String> {
    match class.kind {
        regex_syntax::ast::ClassUnicodeKind::NamedValue { .. } => {
            Err("a `\\p{key=value}` class (RE2 takes `\\p{Name}` only)".into())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_go_regexp_accepts_is_accepted() {
        for good in [
            r"(?i)^(code|debug)\b",
            r"(?P<x>a)\pL\p{Greek}[[:alpha:]]\x{263a}",
            r"(?s-m:a.b)+",
            r"a{2,1000}",
            r"[a-z&]",
        ] {
            assert!(compile(good).is_ok(), "{good}: {:?}", compile(good).err());
        }
        for (bad, named) in [
            ("(?x) code \\s review", "flag `x`"),
            ("(?u)x", "flag `u`"),
            ("(?R)x", "flag `R`"),
            (r"\<word", "word-boundary"),
            (r"\b{start}x", "word-boundary"),
            ("a{1001}", "1001"),
            ("(a{10}){101}", "multiply to 1010"),
            ("[a-z&&[^aeiou]]", "class operator"),
            ("[a[bc]]", "nested"),
            (r"\u0041", r"\u"),
            (r"\p{Script=Greek}", "key=value"),
            ("(?<n>a)", "(?P<name>"),
        ] {
            let err = compile(bad).expect_err(bad);
            assert!(
                err.contains(named) && err.contains("Go RE2"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn perl_classes_and_boundaries_mean_what_they_mean_in_go() {
        let rule = compile(r"\w+\b").unwrap();
        assert!(rule.is_match("abc def"));
        // Go's \w is ASCII: a Chinese message has no word characters.
        assert!(!compile(r"^\w").unwrap().is_match("深入思考"));
        assert!(compile(r"^\W").unwrap().is_match("深入思考"));
        assert!(compile(r"[\d\W]x").unwrap().is_match("é x"));
        assert!(
            !compile(r"\s").unwrap().is_match("\u{a0}"),
            "NBSP is not \\s in Go"
        );
        // Valid in Go, small once ASCII: accepted.
        let wide = compile(r"\w{1000}z").unwrap();
        assert!(wide.states < 2_000, "{}", wide.states);
    }

    #[test]
    fn large_rules_match_what_they_match_with_or_without_their_suffix_check() {
        let rule = compile("(a|b|c){900}x").unwrap();
        assert!(rule.suffixes.is_some(), "{} states", rule.states);
        assert!(!rule.is_match(&"a".repeat(5_000)));
        assert!(rule.is_match(&format!("{}x", "ab".repeat(450))));
        assert!(!rule.is_match(&format!("x{}", "a".repeat(900))));
        // Case-insensitive: either case of the suffix ends a match.
        let folded = compile("(?i)[a-c]{900}X").unwrap();
        assert!(folded.is_match(&format!("{}x", "A".repeat(900))));
        // A rule that may end anywhere has no suffix to require.
        assert!(compile(r"\w{1000}").unwrap().suffixes.is_none());
        assert!(compile(r"\w{1000}").unwrap().is_match(&"w".repeat(1000)));
    }

    #[test]
    fn rules_too_large_to_match_fast_are_refused() {
        let many = ["(x{1000})"; 100].join("|");
        let err = compile(&many).unwrap_err();
        assert!(err.contains("a rule may have at most 10000"), "{err}");
        assert!(compile(&["(x{1000})"; 9].join("|")).is_ok());
    }
}
