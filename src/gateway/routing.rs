//! Auto-routing for the model `higress/auto`, as the model-router plugin evaluates it.
//!
//! The plugin takes the last user message, tries each rule's pattern in order with Go's
//! `regexp.MatchString` (a search, not a full match; RE2 syntax, which the `regex`
//! crate shares), and rewrites the model to the first match's model, else to the
//! default model. The gateway then picks the provider whose ingress header match
//! accepts that model. Both steps are reproduced here so `route test` can explain a
//! request offline.

use regex::Regex;

use super::configured::ConfiguredProvider;
use super::pattern::HeaderMatch;
use super::resources::AutoRouting;

/// A `--trigger "a|b"`: literal phrases, matched case-insensitively at the start of
/// the message. Metacharacters are escaped, so `c++` means the two plus signs.
pub fn trigger_pattern(trigger: &str) -> Result<String, String> {
    let phrases: Vec<&str> = trigger.split('|').map(str::trim).collect();
    if phrases.iter().any(|p| p.is_empty()) {
        return Err(format!(
            "--trigger {trigger:?} has an empty phrase; separate phrases with single `|`, e.g. \"quick|fast\""
        ));
    }
    let escaped: Vec<String> = phrases.iter().map(|p| regex::escape(p)).collect();
    Ok(format!("(?i)^({})", escaped.join("|")))
}

/// Compiles a rule pattern the way the plugin will, returning the compiler's message.
/// Beyond the `regex` crate's syntax check, what Go's RE2 would reject (or read
/// differently) is refused too, so that a pattern accepted here works in Higress.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    if pattern.is_empty() {
        return Err("the pattern is empty (the plugin skips such rules)".into());
    }
    let re =
        Regex::new(pattern).map_err(|e| format!("invalid regular expression {pattern:?}:\n{e}"))?;
    let ast = regex_syntax::ast::parse::Parser::new()
        .parse(pattern)
        .map_err(|e| format!("invalid regular expression {pattern:?}:\n{e}"))?;
    regex_syntax::ast::visit(&ast, Re2Only).map_err(|what| {
        format!(
            "{pattern:?} uses {what}, which the model-router's Go RE2 does not support; write it without"
        )
    })?;
    Ok(re)
}

/// Rejects what the Rust `regex` crate accepts but Go's `regexp` does not, or reads
/// another way: the flags `x`, `u` and `R`, `\<`/`\>`/`\b{…}` boundaries, repeat
/// counts over 1000, `\u`/`\U` escapes, `\p{key=value}`, nested classes and the class
/// operators `&&`, `--`, `~~` (Go reads those brackets and signs literally).
struct Re2Only;

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
            Ast::Repetition(rep) => match &rep.op.kind {
                RepetitionKind::Range(
                    RepetitionRange::Exactly(n)
                    | RepetitionRange::AtLeast(n)
                    | RepetitionRange::Bounded(_, n),
                ) if *n > 1000 => Err(format!("the repeat count {n} (RE2 allows at most 1000)")),
                _ => Ok(()),
            },
            Ast::Literal(literal) => re2_literal(literal),
            Ast::ClassUnicode(class) => re2_unicode_class(class),
            _ => Ok(()),
        }
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

/// Why the router picks what it picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// A rule's pattern matched the message.
    Rule,
    /// No rule matched; the default model applies.
    Default,
    /// Auto-routing is off: `higress/auto` is not rewritten.
    Disabled,
    /// No rule matched and there is no default model: not rewritten.
    NoDefault,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Rule => "rule",
            Reason::Default => "default",
            Reason::Disabled => "disabled",
            Reason::NoDefault => "no-default",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Explanation {
    /// The model the router picks.
    pub model: Option<String>,
    /// Index of the matching rule, or `None` when the default model applies.
    pub rule_id: Option<usize>,
    pub pattern: Option<String>,
    pub reason: Reason,
    pub provider: Option<Resolution>,
}

#[derive(Debug, Clone)]
pub struct Resolution {
    pub model: String,
    /// The provider that serves it, first in ingress order.
    pub provider: Option<String>,
    pub name: Option<String>,
    pub matched: Option<HeaderMatch>,
    /// Other providers whose routes also accept the model (ambiguous configuration).
    pub also: Vec<String>,
}

/// Which provider serves `model`, by the ingresses' header matches.
pub fn resolve(model: &str, providers: &[ConfiguredProvider]) -> Resolution {
    let serving: Vec<&ConfiguredProvider> = providers
        .iter()
        .filter(|p| p.route.as_ref().is_some_and(|r| r.matches(model)))
        .collect();
    let first = serving.first();
    Resolution {
        model: model.to_string(),
        provider: first.map(|p| p.id.clone()),
        name: first.map(|p| p.display_name().to_string()),
        matched: first.and_then(|p| p.route.clone()),
        also: serving.iter().skip(1).map(|p| p.id.clone()).collect(),
    }
}

/// Where a `higress/auto` request whose last user message is `message` goes.
pub fn explain(
    message: &str,
    routing: Option<&AutoRouting>,
    providers: &[ConfiguredProvider],
) -> Explanation {
    let Some(routing) = routing.filter(|r| r.enable) else {
        return Explanation {
            model: None,
            rule_id: None,
            pattern: None,
            reason: Reason::Disabled,
            provider: None,
        };
    };
    let hit = routing.rules.iter().enumerate().find(|(_, rule)| {
        // Rules were checked against RE2 when added; matching needs only the regex.
        !rule.model.is_empty()
            && !rule.pattern.is_empty()
            && Regex::new(&rule.pattern).is_ok_and(|re| re.is_match(message))
    });
    let (model, rule_id, pattern, reason) = match hit {
        Some((id, rule)) => (
            Some(rule.model.clone()),
            Some(id),
            Some(rule.pattern.clone()),
            Reason::Rule,
        ),
        None => match &routing.default_model {
            Some(model) => (Some(model.clone()), None, None, Reason::Default),
            None => (None, None, None, Reason::NoDefault),
        },
    };
    Explanation {
        provider: model.as_deref().map(|m| resolve(m, providers)),
        model,
        rule_id,
        pattern,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::resources::RoutingRule;

    #[test]
    fn triggers_are_literal_and_anchored() {
        assert_eq!(
            trigger_pattern("c++|深入思考").unwrap(),
            r"(?i)^(c\+\+|深入思考)"
        );
        assert_eq!(
            trigger_pattern(" quick | fast ").unwrap(),
            "(?i)^(quick|fast)"
        );
        assert!(trigger_pattern("a||b").is_err());
        let re = compile(&trigger_pattern("c++").unwrap()).unwrap();
        assert!(re.is_match("C++ templates?"));
        assert!(!re.is_match("c and more"));
    }

    #[test]
    fn only_what_go_regexp_accepts_is_accepted() {
        for good in [
            r"(?i)^(code|debug)\b",
            r"(?P<x>a)\pL\p{Greek}[[:alpha:]]\x{263a}",
            r"(?s-m:a.b){2,1000}",
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
    fn rules_are_searched_in_order() {
        let rule = |p: &str, m: &str| RoutingRule {
            pattern: p.into(),
            model: m.into(),
            other: Default::default(),
        };
        let routing = AutoRouting {
            enable: true,
            default_model: Some("glm-5".into()),
            rules: vec![
                rule("(", "broken"),
                rule("code", "deepseek-chat"),
                rule("(?i)code", "x"),
            ],
            other: Default::default(),
        };
        let e = explain("please write code", Some(&routing), &[]);
        assert_eq!(
            (e.model.as_deref(), e.rule_id, e.reason),
            (Some("deepseek-chat"), Some(1), Reason::Rule)
        );
        let e = explain("hello", Some(&routing), &[]);
        assert_eq!(
            (e.model.as_deref(), e.reason),
            (Some("glm-5"), Reason::Default)
        );
        assert_eq!(explain("x", None, &[]).reason, Reason::Disabled);
    }
}
