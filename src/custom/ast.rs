//! Reading a CEL expression's syntax tree: the fields of `object` it reads, which part of it
//! failed, and the identifiers it uses that the environment does not define.

use std::collections::HashMap;

use cel::common::ast::operators;
use cel::common::ast::{Expr, IdedExpr, LiteralValue};
use cel::{Context, Value};

/// A step into the object: a mapping key or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Comprehension variables bound to a place in the object (`c` in `containers.all(c, …)`).
type Bindings = HashMap<String, Vec<Step>>;

/// The path into `object` that `expr` spells (`object.spec.replicas`, `object.spec.x[0]`,
/// `c.image` with `c` bound), or `None` when it is not a plain field access.
fn path_of(expr: &IdedExpr, bindings: &Bindings) -> Option<Vec<Step>> {
    match &expr.expr {
        Expr::Ident(name) if name == "object" => Some(Vec::new()),
        Expr::Ident(name) => bindings.get(name).cloned(),
        Expr::Select(select) => {
            let mut path = path_of(&select.operand, bindings)?;
            path.push(Step::Key(select.field.clone()));
            Some(path)
        }
        Expr::Call(call)
            if call.func_name == operators::INDEX
                && call.target.is_none()
                && call.args.len() == 2 =>
        {
            let mut path = path_of(&call.args[0], bindings)?;
            match &call.args[1].expr {
                Expr::Literal(LiteralValue::String(key)) => {
                    path.push(Step::Key(key.inner().to_string()))
                }
                Expr::Literal(LiteralValue::Int(i)) => {
                    path.push(Step::Index(usize::try_from(*i.inner()).ok()?))
                }
                Expr::Literal(LiteralValue::UInt(u)) => {
                    path.push(Step::Index(usize::try_from(*u.inner()).ok()?))
                }
                _ => {}
            }
            Some(path)
        }
        _ => None,
    }
}

/// The first (leftmost, outermost) field access into the object in `expr`.
fn first_path(expr: &IdedExpr, bindings: &Bindings) -> Option<Vec<Step>> {
    if let Some(path) = path_of(expr, bindings) {
        return Some(path);
    }
    children(expr)
        .into_iter()
        .find_map(|child| first_path(child, bindings))
}

fn children(expr: &IdedExpr) -> Vec<&IdedExpr> {
    match &expr.expr {
        Expr::Call(call) => call
            .target
            .iter()
            .map(|t| t.as_ref())
            .chain(call.args.iter())
            .collect(),
        Expr::Select(select) => vec![select.operand.as_ref()],
        Expr::List(list) => list.elements.iter().collect(),
        Expr::Map(map) => map
            .entries
            .iter()
            .flat_map(|e| match &e.expr {
                cel::common::ast::EntryExpr::MapEntry(m) => vec![&m.key, &m.value],
                cel::common::ast::EntryExpr::StructField(f) => vec![&f.value],
            })
            .collect(),
        Expr::Struct(s) => s
            .entries
            .iter()
            .flat_map(|e| match &e.expr {
                cel::common::ast::EntryExpr::MapEntry(m) => vec![&m.key, &m.value],
                cel::common::ast::EntryExpr::StructField(f) => vec![&f.value],
            })
            .collect(),
        Expr::Comprehension(c) => vec![&c.iter_range, &c.accu_init, &c.loop_step, &c.result],
        Expr::Ident(_) | Expr::Literal(_) | Expr::Unspecified => Vec::new(),
    }
}

/// Whether `expr` evaluates to true (errors and non-bools count as not true).
fn holds(expr: &IdedExpr, ctx: &Context<'_, '_>) -> bool {
    matches!(ctx.resolve(expr), Ok(Value::Bool(true)))
}

/// How deep blame follows nested conjunctions and comprehensions.
const MAX_BLAME_DEPTH: u32 = 32;

/// The field the failing part of `expr` reads: for `a && b`, the part that is not true; for
/// `list.all(x, p)`, the first item for which `p` fails, and what `p` reads in it; otherwise the
/// first field the expression reads.
pub fn blame(expr: &IdedExpr, ctx: &Context<'_, '_>) -> Option<Vec<Step>> {
    blame_in(expr, ctx, &Bindings::new(), 0)
}

fn blame_in(
    expr: &IdedExpr,
    ctx: &Context<'_, '_>,
    bindings: &Bindings,
    depth: u32,
) -> Option<Vec<Step>> {
    if depth > MAX_BLAME_DEPTH {
        return first_path(expr, bindings);
    }
    match &expr.expr {
        Expr::Call(call) if call.func_name == operators::LOGICAL_AND && call.target.is_none() => {
            match call.args.iter().find(|a| !holds(a, ctx)) {
                Some(failing) => blame_in(failing, ctx, bindings, depth + 1),
                None => first_path(expr, bindings),
            }
        }
        // `!has(x) || check`: every part is false; the last one says what was expected.
        Expr::Call(call) if call.func_name == operators::LOGICAL_OR && call.target.is_none() => {
            match call.args.last() {
                Some(last) => blame_in(last, ctx, bindings, depth + 1),
                None => first_path(expr, bindings),
            }
        }
        // `cond ? a : b`: the branch taken.
        Expr::Call(call)
            if call.func_name == operators::CONDITIONAL
                && call.target.is_none()
                && call.args.len() == 3 =>
        {
            let branch = if holds(&call.args[0], ctx) {
                &call.args[1]
            } else {
                &call.args[2]
            };
            blame_in(branch, ctx, bindings, depth + 1)
        }
        Expr::Comprehension(c) => {
            // `all`: the step is `@result && predicate`.
            let predicate = match &c.loop_step.expr {
                Expr::Call(step)
                    if step.func_name == operators::LOGICAL_AND
                        && step.args.len() == 2
                        && matches!(&step.args[0].expr, Expr::Ident(a) if *a == c.accu_var) =>
                {
                    Some(&step.args[1])
                }
                _ => None,
            };
            let range = path_of(&c.iter_range, bindings);
            if let (Some(predicate), Some(range), None) = (predicate, range.clone(), &c.iter_var2)
                && let Ok(Value::List(items)) = ctx.resolve(&c.iter_range)
            {
                for (i, item) in items.iter().enumerate() {
                    let mut scope = ctx.new_inner_scope();
                    scope.add_variable_from_value(c.iter_var.clone(), item.clone());
                    if holds(predicate, &scope) {
                        continue;
                    }
                    let mut element = range.clone();
                    element.push(Step::Index(i));
                    let mut inner = bindings.clone();
                    inner.insert(c.iter_var.clone(), element.clone());
                    return blame_in(predicate, &scope, &inner, depth + 1).or(Some(element));
                }
            }
            range.or_else(|| first_path(expr, bindings))
        }
        _ => first_path(expr, bindings),
    }
}

/// Identifiers `expr` uses that are neither comprehension variables nor in `known`: with the
/// id of the node, to place the error.
pub fn free_identifiers(expr: &IdedExpr, known: &[&str]) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut scope: Vec<String> = Vec::new();
    free_in(expr, known, &mut scope, &mut out, 0);
    out
}

fn free_in(
    expr: &IdedExpr,
    known: &[&str],
    scope: &mut Vec<String>,
    out: &mut Vec<(String, u64)>,
    depth: u32,
) {
    if depth > 256 {
        return;
    }
    match &expr.expr {
        Expr::Ident(name) => {
            if !name.starts_with('@') && !known.contains(&name.as_str()) && !scope.contains(name) {
                out.push((name.clone(), expr.id));
            }
        }
        Expr::Comprehension(c) => {
            free_in(&c.iter_range, known, scope, out, depth + 1);
            free_in(&c.accu_init, known, scope, out, depth + 1);
            let before = scope.len();
            scope.push(c.iter_var.clone());
            if let Some(v) = &c.iter_var2 {
                scope.push(v.clone());
            }
            scope.push(c.accu_var.clone());
            free_in(&c.loop_cond, known, scope, out, depth + 1);
            free_in(&c.loop_step, known, scope, out, depth + 1);
            free_in(&c.result, known, scope, out, depth + 1);
            scope.truncate(before);
        }
        _ => {
            for child in children(expr) {
                free_in(child, known, scope, out, depth + 1);
            }
        }
    }
}

/// The kinds `lookup(kind, …)` is called with, when every call names its kind with a string
/// literal (`None`: some call computes it, so any kind may be looked up).
pub fn lookup_kinds(expr: &IdedExpr) -> Option<Vec<String>> {
    let mut kinds = Vec::new();
    let mut stack = vec![expr];
    let mut steps = 0u32;
    while let Some(e) = stack.pop() {
        steps += 1;
        if steps > 100_000 {
            return None;
        }
        if let Expr::Call(call) = &e.expr
            && call.func_name == "lookup"
        {
            match call.args.first().map(|a| &a.expr) {
                Some(Expr::Literal(LiteralValue::String(kind))) => {
                    kinds.push(kind.inner().to_string());
                }
                _ => return None,
            }
        }
        stack.extend(children(e));
    }
    kinds.sort();
    kinds.dedup();
    Some(kinds)
}
