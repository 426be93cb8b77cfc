//! Syntax tree and parser: turns the lexer's tokens into a tree of nodes, checking variables,
//! function names, control structure and nesting depth the way Go's `text/template/parse` does.

use serde_json::Value;

use super::funcs::FUNCTIONS;
use super::lexer::{Lexer, Tok, Token};
use crate::error::{Error, Result};

/// How deeply actions and parentheses may nest before parsing gives up.
const MAX_DEPTH: usize = 100;

#[derive(Debug, Clone)]
pub(super) enum Node {
    Text(String),
    Action(Pipe),
    If { pipe: Pipe, list: Vec<Node>, else_list: Option<Vec<Node>> },
    With { pipe: Pipe, list: Vec<Node>, else_list: Option<Vec<Node>> },
    Range { pipe: Pipe, list: Vec<Node>, else_list: Option<Vec<Node>> },
    Break,
    Continue,
}

#[derive(Debug, Clone)]
pub(super) struct Pipe {
    pub(super) pos: usize,
    pub(super) decl: Vec<String>,
    pub(super) is_assign: bool,
    pub(super) cmds: Vec<Cmd>,
}

#[derive(Debug, Clone)]
pub(super) struct Cmd {
    pub(super) pos: usize,
    pub(super) args: Vec<Arg>,
}

#[derive(Debug, Clone)]
pub(super) enum Arg {
    Dot,
    Nil,
    Literal { value: Value, src: String },
    Field { pos: usize, chain: Vec<String> },
    Var { pos: usize, name: String, chain: Vec<String> },
    Func { name: String },
    Pipe { pos: usize, pipe: Box<Pipe>, chain: Vec<String> },
}

impl std::fmt::Display for Arg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Arg::Dot => f.write_str("."),
            Arg::Nil => f.write_str("nil"),
            Arg::Literal { src, .. } => f.write_str(src),
            Arg::Field { chain, .. } => chain.iter().try_for_each(|c| write!(f, ".{c}")),
            Arg::Var { name, chain, .. } => {
                f.write_str(name)?;
                chain.iter().try_for_each(|c| write!(f, ".{c}"))
            }
            Arg::Func { name } => f.write_str(name),
            Arg::Pipe { pipe, chain, .. } => {
                write!(f, "({pipe})")?;
                chain.iter().try_for_each(|c| write!(f, ".{c}"))
            }
        }
    }
}

impl std::fmt::Display for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for Pipe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.decl.is_empty() {
            write!(f, "{} {} ", self.decl.join(", "), if self.is_assign { "=" } else { ":=" })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

enum ListEnd {
    Eof,
    End,
    Else,
}

struct Parser<'a> {
    toks: Vec<Token>,
    i: usize,
    text: &'a str,
    name: &'a str,
    vars: Vec<String>,
    depth: usize,
    range_depth: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> &Token {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn error(&self, pos: usize, msg: impl std::fmt::Display) -> Error {
        let line = 1 + self.text[..pos.min(self.text.len())].matches('\n').count();
        Error::Template(format!("template: {}:{}: {}", self.name, line, msg))
    }

    fn describe(t: &Token) -> String {
        match &t.tok {
            Tok::Eof => "EOF".into(),
            Tok::Ident(k) if matches!(k.as_str(), "if" | "else" | "end" | "range" | "with" | "break" | "continue") => {
                format!("<{k}>")
            }
            _ => format!("{:?}", t.src),
        }
    }

    fn enter(&mut self, pos: usize) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(pos, "template is nested too deeply"));
        }
        Ok(())
    }

    fn expect_right_delim(&mut self, context: &str) -> Result<()> {
        let t = self.next();
        if t.tok == Tok::RightDelim {
            Ok(())
        } else {
            Err(self.error(t.pos, format!("unexpected {} in {context}", Self::describe(&t))))
        }
    }

    fn parse_list(&mut self) -> Result<(Vec<Node>, ListEnd)> {
        let mut nodes = Vec::new();
        loop {
            let t = self.next();
            match t.tok {
                Tok::Eof => return Ok((nodes, ListEnd::Eof)),
                Tok::Text(s) => nodes.push(Node::Text(s)),
                Tok::LeftDelim => {
                    let kw = self.peek().clone();
                    match &kw.tok {
                        Tok::Ident(k) if k == "end" => {
                            self.next();
                            self.expect_right_delim("end")?;
                            return Ok((nodes, ListEnd::End));
                        }
                        Tok::Ident(k) if k == "else" => {
                            self.next();
                            return Ok((nodes, ListEnd::Else));
                        }
                        Tok::Ident(k) if matches!(k.as_str(), "if" | "range" | "with") => {
                            let k = k.clone();
                            self.next();
                            nodes.push(self.parse_control(&k, kw.pos)?);
                        }
                        Tok::Ident(k) if matches!(k.as_str(), "break" | "continue") => {
                            let k = k.clone();
                            self.next();
                            if self.range_depth == 0 {
                                return Err(self.error(kw.pos, format!("{{{{{k}}}}} outside {{{{range}}}}")));
                            }
                            self.expect_right_delim(&k)?;
                            nodes.push(if k == "break" { Node::Break } else { Node::Continue });
                        }
                        Tok::Ident(k) if matches!(k.as_str(), "define" | "template" | "block") => {
                            return Err(self.error(kw.pos, format!("{{{{{k}}}}} is not supported")));
                        }
                        _ => {
                            let pipe = self.parse_pipeline("command", true, Tok::RightDelim)?;
                            nodes.push(Node::Action(pipe));
                        }
                    }
                }
                _ => return Err(self.error(t.pos, format!("unexpected {}", Self::describe(&t)))),
            }
        }
    }

    fn parse_control(&mut self, kw: &str, pos: usize) -> Result<Node> {
        self.enter(pos)?;
        let scope = self.vars.len();
        let pipe = self.parse_pipeline(kw, true, Tok::RightDelim)?;
        if kw == "range" {
            self.range_depth += 1;
        }
        let (list, end) = self.parse_list()?;
        if kw == "range" {
            self.range_depth -= 1;
        }
        let else_list = match end {
            ListEnd::Eof => return Err(self.error(self.text.len(), "unexpected EOF")),
            ListEnd::End => None,
            ListEnd::Else => {
                let t = self.peek().clone();
                match &t.tok {
                    // `{{else if …}}` (and `{{else with …}}`) chain: the nested control consumes the {{end}}.
                    Tok::Ident(k) if (k == "if" && kw == "if") || (k == "with" && kw == "with") => {
                        self.next();
                        Some(vec![self.parse_control(kw, t.pos)?])
                    }
                    _ => {
                        self.expect_right_delim("else")?;
                        let (else_list, end) = self.parse_list()?;
                        match end {
                            ListEnd::End => Some(else_list),
                            ListEnd::Else => return Err(self.error(t.pos, "expected end; found {{else}}")),
                            ListEnd::Eof => return Err(self.error(self.text.len(), "unexpected EOF")),
                        }
                    }
                }
            }
        };
        self.vars.truncate(scope);
        self.depth -= 1;
        Ok(match kw {
            "if" => Node::If { pipe, list, else_list },
            "with" => Node::With { pipe, list, else_list },
            _ => Node::Range { pipe, list, else_list },
        })
    }

    fn parse_pipeline(&mut self, context: &str, allow_decl: bool, end: Tok) -> Result<Pipe> {
        let start = self.peek().pos;
        let mut pipe = Pipe { pos: start, decl: Vec::new(), is_assign: false, cmds: Vec::new() };
        if allow_decl {
            self.parse_decl(context, &mut pipe)?;
        }
        loop {
            let t = self.peek().clone();
            if t.tok == end {
                self.next();
                break;
            }
            match t.tok {
                Tok::Eof | Tok::RightDelim | Tok::RParen | Tok::Text(_) | Tok::LeftDelim => {
                    return Err(self.error(t.pos, format!("unexpected {} in {context}", Self::describe(&t))));
                }
                _ => {
                    let cmd = self.parse_command()?;
                    pipe.cmds.push(cmd);
                }
            }
        }
        if pipe.cmds.is_empty() {
            return Err(self.error(start, format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(c.args[0], Arg::Dot | Arg::Nil | Arg::Literal { .. }) {
                return Err(self.error(c.pos, format!("non executable command in pipeline stage {}", i + 1)));
            }
        }
        Ok(pipe)
    }

    fn parse_decl(&mut self, context: &str, pipe: &mut Pipe) -> Result<()> {
        let Tok::Var(first) = &self.peek().tok else { return Ok(()) };
        let first = first.clone();
        let first_pos = self.peek().pos;
        let after = self.toks.get(self.i + 1).map(|t| t.tok.clone());
        match after {
            Some(Tok::Declare) | Some(Tok::Assign) => {
                self.i += 2;
                if after == Some(Tok::Assign) {
                    if !self.vars.contains(&first) {
                        return Err(self.error(first_pos, format!("undefined variable {first:?}")));
                    }
                    pipe.is_assign = true;
                } else {
                    self.vars.push(first.clone());
                }
                pipe.decl.push(first);
            }
            Some(Tok::Comma) if context == "range" => {
                self.i += 2;
                let second = self.next();
                let Tok::Var(second_name) = second.tok else {
                    return Err(self.error(second.pos, "range can only initialize variables"));
                };
                let op = self.next();
                if op.tok != Tok::Declare && op.tok != Tok::Assign {
                    return Err(self.error(op.pos, "too many declarations in range"));
                }
                for v in [&first, &second_name] {
                    if op.tok == Tok::Assign && !self.vars.contains(v) {
                        return Err(self.error(first_pos, format!("undefined variable {v:?}")));
                    }
                }
                if op.tok == Tok::Declare {
                    self.vars.push(first.clone());
                    self.vars.push(second_name.clone());
                } else {
                    pipe.is_assign = true;
                }
                pipe.decl = vec![first, second_name];
            }
            _ => {}
        }
        Ok(())
    }

    fn parse_command(&mut self) -> Result<Cmd> {
        let pos = self.peek().pos;
        let mut cmd = Cmd { pos, args: Vec::new() };
        loop {
            let t = self.peek().clone();
            if !cmd.args.is_empty() && !t.space_before && !matches!(t.tok, Tok::RightDelim | Tok::RParen | Tok::Pipe) {
                return Err(self.error(t.pos, format!("unexpected {} in operand", Self::describe(&t))));
            }
            match t.tok {
                Tok::RightDelim | Tok::RParen => break,
                Tok::Pipe => {
                    self.next();
                    break;
                }
                _ => {
                    let arg = self.parse_operand()?;
                    cmd.args.push(arg);
                }
            }
        }
        if cmd.args.is_empty() {
            return Err(self.error(pos, "empty command"));
        }
        Ok(cmd)
    }

    fn parse_operand(&mut self) -> Result<Arg> {
        let t = self.next();
        let mut arg = match t.tok {
            Tok::Ident(name) => {
                if !FUNCTIONS.contains(&name.as_str()) {
                    return Err(self.error(t.pos, format!("function {name:?} not defined")));
                }
                Arg::Func { name }
            }
            Tok::Dot => Arg::Dot,
            Tok::Nil => Arg::Nil,
            Tok::Var(name) => {
                if name != "$" && !self.vars.contains(&name) {
                    return Err(self.error(t.pos, format!("undefined variable {name:?}")));
                }
                Arg::Var { pos: t.pos, name, chain: Vec::new() }
            }
            Tok::Field(name) => Arg::Field { pos: t.pos, chain: vec![name] },
            Tok::Bool(b) => Arg::Literal { value: Value::Bool(b), src: t.src },
            Tok::Num(n) => Arg::Literal { value: n, src: t.src },
            Tok::Str(s) => Arg::Literal { value: Value::String(s), src: t.src },
            Tok::LParen => {
                self.enter(t.pos)?;
                let pipe = self.parse_pipeline("parenthesized pipeline", true, Tok::RParen)?;
                self.depth -= 1;
                Arg::Pipe { pos: t.pos, pipe: Box::new(pipe), chain: Vec::new() }
            }
            _ => return Err(self.error(t.pos, format!("unexpected {} in operand", Self::describe(&t)))),
        };
        while let Tok::Field(name) = &self.peek().tok {
            if self.peek().space_before {
                break;
            }
            let name = name.clone();
            let pos = self.peek().pos;
            match &mut arg {
                Arg::Field { chain, .. } | Arg::Var { chain, .. } | Arg::Pipe { chain, .. } => chain.push(name),
                other => return Err(self.error(pos, format!("unexpected . after term {:?}", other.to_string()))),
            }
            self.next();
        }
        Ok(arg)
    }
}

/// Lexes and parses `text`; errors carry `name` and the line, as Go's parse errors do.
pub(super) fn parse(name: &str, text: &str) -> Result<Vec<Node>> {
    let toks = Lexer::lex(text).map_err(|(pos, msg)| {
        let line = 1 + text[..pos.min(text.len())].matches('\n').count();
        Error::Template(format!("template: {name}:{line}: {msg}"))
    })?;
    let mut parser = Parser { toks, i: 0, text, name, vars: vec!["$".to_string()], depth: 0, range_depth: 0 };
    let (root, end) = parser.parse_list()?;
    match end {
        ListEnd::Eof => Ok(root),
        ListEnd::End => Err(parser.error(parser.toks[parser.i.saturating_sub(2)].pos, "unexpected {{end}}")),
        ListEnd::Else => Err(parser.error(parser.toks[parser.i.saturating_sub(1)].pos, "unexpected {{else}}")),
    }
}
