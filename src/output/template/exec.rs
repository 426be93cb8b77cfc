//! Execution: walks the parsed tree over the data, keeping the variable stack and the output,
//! and reports errors with Go's `template: NAME:LINE:COL: executing …` message.

use serde_json::Value;

use super::format::{go_sprint, go_type, sorted, truth};
use super::funcs::{call_builtin, CallError};
use super::parser::{Arg, Cmd, Node, Pipe};
use super::Template;
use crate::error::{Error, Result};

/// Runs `tmpl` with `data` as `.` and `$`, returning the output.
pub(super) fn execute(tmpl: &Template, data: &Value) -> Result<String> {
    let mut st = State { tmpl, out: String::new(), vars: vec![("$".to_string(), data.clone())] };
    st.walk(data, &tmpl.root)?;
    Ok(st.out)
}

enum Flow {
    Normal,
    Break,
    Continue,
}

struct State<'t> {
    tmpl: &'t Template,
    out: String,
    vars: Vec<(String, Value)>,
}

/// Where an execution error happened: byte position and the node text Go shows in `<…>`.
struct At {
    pos: usize,
    context: String,
}

impl<'t> State<'t> {
    fn error(&self, at: &At, msg: impl std::fmt::Display) -> Error {
        let text = &self.tmpl.text[..at.pos.min(self.tmpl.text.len())];
        let line = 1 + text.matches('\n').count();
        let col = text.rfind('\n').map_or(at.pos, |nl| at.pos - nl - 1);
        let mut context = at.context.clone();
        if context.len() > 20 {
            let cut = (0..=20).rev().find(|&i| context.is_char_boundary(i)).unwrap_or(0);
            context = format!("{}...", &context[..cut]);
        }
        let name = &self.tmpl.name;
        Error::Template(format!("template: {name}:{line}:{col}: executing {name:?} at <{context}>: {msg}"))
    }

    fn walk(&mut self, dot: &Value, nodes: &[Node]) -> Result<Flow> {
        for node in nodes {
            match node {
                Node::Text(s) => self.out.push_str(s),
                Node::Action(pipe) => {
                    let v = self.eval_pipeline(dot, pipe)?;
                    if pipe.decl.is_empty() {
                        self.out.push_str(&go_sprint(&v));
                    }
                }
                Node::If { pipe, list, else_list } | Node::With { pipe, list, else_list } => {
                    let mark = self.vars.len();
                    let v = self.eval_pipeline(dot, pipe)?;
                    let flow = if truth(&v) {
                        let new_dot = if matches!(node, Node::With { .. }) { &v } else { dot };
                        self.walk(new_dot, list)?
                    } else if let Some(e) = else_list {
                        self.walk(dot, e)?
                    } else {
                        Flow::Normal
                    };
                    self.vars.truncate(mark);
                    if !matches!(flow, Flow::Normal) {
                        return Ok(flow);
                    }
                }
                Node::Range { pipe, list, else_list } => {
                    let mark = self.vars.len();
                    self.walk_range(dot, pipe, list, else_list.as_deref())?;
                    self.vars.truncate(mark);
                }
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_range(&mut self, dot: &Value, pipe: &Pipe, list: &[Node], else_list: Option<&[Node]>) -> Result<()> {
        let v = self.eval_cmds(dot, pipe)?;
        let items: Vec<(Value, Value)> = match &v {
            Value::Array(a) => a.iter().enumerate().map(|(i, e)| (Value::from(i), e.clone())).collect(),
            Value::Object(m) => sorted(m).into_iter().map(|(k, e)| (Value::String(k.clone()), e.clone())).collect(),
            Value::Null => Vec::new(),
            Value::Number(n) if n.as_i64().is_some() => {
                let n = n.as_i64().unwrap_or(0);
                if pipe.decl.len() > 1 {
                    let at = At { pos: pipe.pos, context: pipe.to_string() };
                    return Err(self.error(&at, "can't use two iteration variables when ranging over an integer"));
                }
                (0..n.max(0)).map(|i| (Value::from(i), Value::from(i))).collect()
            }
            other => {
                let at = At { pos: pipe.pos, context: pipe.to_string() };
                return Err(self.error(&at, format!("range can't iterate over {}", go_sprint(other))));
            }
        };
        if items.is_empty() {
            if let Some(e) = else_list {
                self.walk(dot, e)?;
            }
            return Ok(());
        }
        for (key, elem) in items {
            let mark = self.vars.len();
            match pipe.decl.as_slice() {
                [] => {}
                [one] => self.bind(one, elem.clone(), pipe.is_assign),
                [k, e, ..] => {
                    self.bind(k, key, pipe.is_assign);
                    self.bind(e, elem.clone(), pipe.is_assign);
                }
            }
            let flow = self.walk(&elem, list)?;
            self.vars.truncate(mark);
            if matches!(flow, Flow::Break) {
                break;
            }
        }
        Ok(())
    }

    fn bind(&mut self, name: &str, value: Value, assign: bool) {
        if assign {
            if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| n == name) {
                slot.1 = value;
                return;
            }
        }
        self.vars.push((name.to_string(), value));
    }

    fn eval_cmds(&mut self, dot: &Value, pipe: &Pipe) -> Result<Value> {
        let mut last: Option<Value> = None;
        for cmd in &pipe.cmds {
            last = Some(self.eval_command(dot, cmd, last)?);
        }
        Ok(last.unwrap_or(Value::Null))
    }

    fn eval_pipeline(&mut self, dot: &Value, pipe: &Pipe) -> Result<Value> {
        let v = self.eval_cmds(dot, pipe)?;
        for name in &pipe.decl {
            self.bind(name, v.clone(), pipe.is_assign);
        }
        Ok(v)
    }

    fn eval_command(&mut self, dot: &Value, cmd: &Cmd, last: Option<Value>) -> Result<Value> {
        let first = &cmd.args[0];
        if let Arg::Func { name } = first {
            return self.call(dot, name, cmd, last);
        }
        if cmd.args.len() > 1 || last.is_some() {
            let at = At { pos: cmd.pos, context: cmd.to_string() };
            return Err(self.error(&at, format!("can't give argument to non-function {first}")));
        }
        if matches!(first, Arg::Nil) {
            let at = At { pos: cmd.pos, context: cmd.to_string() };
            return Err(self.error(&at, "nil is not a command"));
        }
        self.eval_arg(dot, first, cmd)
    }

    fn eval_arg(&mut self, dot: &Value, arg: &Arg, cmd: &Cmd) -> Result<Value> {
        match arg {
            Arg::Dot => Ok(dot.clone()),
            Arg::Nil => Ok(Value::Null),
            Arg::Literal { value, .. } => Ok(value.clone()),
            Arg::Field { pos, chain } => self.eval_chain(dot.clone(), chain, *pos, String::new()),
            Arg::Var { pos, name, chain } => {
                let Some((_, v)) = self.vars.iter().rev().find(|(n, _)| n == name) else {
                    let at = At { pos: *pos, context: name.clone() };
                    return Err(self.error(&at, format!("undefined variable: {name}")));
                };
                self.eval_chain(v.clone(), chain, *pos, name.clone())
            }
            Arg::Pipe { pos, pipe, chain } => {
                let v = self.eval_pipeline(dot, pipe)?;
                self.eval_chain(v, chain, *pos, format!("({pipe})"))
            }
            Arg::Func { name } => {
                let sub = Cmd { pos: cmd.pos, args: vec![arg.clone()] };
                self.call(dot, name, &sub, None)
            }
        }
    }

    fn eval_chain(&self, mut v: Value, chain: &[String], pos: usize, prefix: String) -> Result<Value> {
        let mut context = prefix;
        for field in chain {
            context.push('.');
            context.push_str(field);
            v = match v {
                Value::Object(mut m) => match m.remove(field) {
                    Some(x) => x,
                    None => {
                        let at = At { pos, context };
                        return Err(self.error(&at, format!("can't evaluate field {field}")));
                    }
                },
                Value::Null => {
                    let at = At { pos, context };
                    return Err(self.error(&at, format!("nil pointer evaluating interface {{}}.{field}")));
                }
                other => {
                    let at = At { pos, context };
                    return Err(self.error(&at, format!("can't evaluate field {field} in type {}", go_type(&other))));
                }
            };
        }
        Ok(v)
    }

    fn call(&mut self, dot: &Value, name: &str, cmd: &Cmd, last: Option<Value>) -> Result<Value> {
        let at = At { pos: cmd.pos, context: cmd.to_string() };
        let arg_nodes = &cmd.args[1..];
        if name == "and" || name == "or" {
            let total = arg_nodes.len() + usize::from(last.is_some());
            if total == 0 {
                return Err(self.error(&at, format!("wrong number of args for {name}: want at least 1 got 0")));
            }
            let mut result = Value::Null;
            for node in arg_nodes {
                result = self.eval_arg(dot, node, cmd)?;
                if truth(&result) == (name == "or") {
                    return Ok(result);
                }
            }
            if let Some(l) = last {
                result = l;
            }
            return Ok(result);
        }
        let mut args = Vec::with_capacity(arg_nodes.len() + 1);
        for node in arg_nodes {
            args.push(self.eval_arg(dot, node, cmd)?);
        }
        args.extend(last);
        call_builtin(name, args).map_err(|e| match e {
            CallError::Plain(msg) => self.error(&at, msg),
            CallError::Calling(msg) => self.error(&at, format!("error calling {name}: {msg}")),
        })
    }
}
