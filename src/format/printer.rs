//! Lays out a command stream ([`super::doc`]) in a width: each group flat when it fits, broken otherwise,
//! decided greedily from left to right as Wadler's and Prettier's printers do.
//!
//! Two linear passes and no recursion. The first measures: for every position, the flat width of what comes
//! before it (so a group's flat width is a subtraction), where the next possible line end is, where the next
//! multi-line text is; for every group, where it ends and whether something in it forces it to break. The
//! second prints: a group fits when its flat text, and the text after it up to the next possible line end,
//! fit in what is left of the line. Indentation is written only when text follows it, and a space only when
//! text follows it on the same line, so no line ends in whitespace the printer made.

use super::doc::{first_line_width, has_line_break, last_line_width, width, Cmd};

/// How the printer writes what is not text: indentation, line breaks, the width to fit.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    /// The columns of one level of indentation (also the width of a tab).
    pub(super) indent_width: usize,
    pub(super) use_tabs: bool,
    /// The maximum line width in columns; `usize::MAX` for no limit.
    pub(super) line_width: usize,
    /// `"\n"` or `"\r\n"`.
    pub(super) newline: &'static str,
}

/// What the measuring pass knows about the stream.
struct Measure {
    /// `prefix[i]`: the flat width of `cmds[..i]`, adjacent spaces counted once as the printer prints them.
    prefix: Vec<usize>,
    /// `spaced[i]`: whether the last thing counted in `prefix[i]` is a space, which a line break right after
    /// would drop.
    spaced: Vec<bool>,
    /// `next_break[i]`: the first position at or after `i` that may end a line (`cmds.len()` if none).
    next_break: Vec<u32>,
    /// `next_multiline[i]`: the first multi-line text at or after `i`.
    next_multiline: Vec<u32>,
    /// For a group start: the position of its end.
    group_end: Vec<u32>,
    /// For a group start: whether something inside forces it to break.
    forced: Vec<bool>,
}

fn measure(cmds: &[Cmd]) -> Measure {
    let n = cmds.len();
    let mut prefix = Vec::with_capacity(n + 1);
    let mut spaced = Vec::with_capacity(n + 1);
    let mut group_end = vec![n as u32; n];
    let mut forced = vec![false; n];
    let mut open: Vec<usize> = Vec::new();
    let mut total = 0usize;
    let mut space = false;
    for (i, cmd) in cmds.iter().enumerate() {
        prefix.push(total);
        spaced.push(space);
        match *cmd {
            Cmd::Text(text) => {
                total += width(text);
                space &= text.is_empty();
            }
            Cmd::Multiline(text) | Cmd::Raw(text) => {
                total += first_line_width(text);
                space = false;
            }
            Cmd::Space | Cmd::Line => {
                if !space {
                    total += 1;
                    space = true;
                }
            }
            Cmd::LineStart { .. } | Cmd::BreakParent => {
                if let Some(&group) = open.last() {
                    forced[group] = true;
                }
            }
            Cmd::GroupStart => open.push(i),
            Cmd::GroupEnd => {
                if let Some(group) = open.pop() {
                    group_end[group] = i as u32;
                    if forced[group] {
                        if let Some(&parent) = open.last() {
                            forced[parent] = true;
                        }
                    }
                }
            }
            Cmd::SoftLine | Cmd::Indent | Cmd::Dedent => {}
        }
    }
    prefix.push(total);
    spaced.push(space);
    let mut next_break = vec![n as u32; n + 1];
    let mut next_multiline = vec![n as u32; n + 1];
    for i in (0..n).rev() {
        next_break[i] = if cmds[i].may_break() { i as u32 } else { next_break[i + 1] };
        next_multiline[i] =
            if matches!(cmds[i], Cmd::Multiline(_) | Cmd::Raw(_)) { i as u32 } else { next_multiline[i + 1] };
    }
    Measure { prefix, spaced, next_break, next_multiline, group_end, forced }
}

impl Measure {
    /// Whether the group that starts at `start` fits flat from `column` on, with the text after it up to
    /// the next possible line end.
    fn fits(&self, cmds: &[Cmd], start: usize, column: usize, line_width: usize) -> bool {
        if self.forced[start] {
            return false;
        }
        let end = self.group_end[start] as usize;
        let multiline = self.next_multiline[start] as usize;
        let needed = if multiline < end {
            // The group's flat text goes on over another line: only its first line has to fit here.
            let text = match cmds[multiline] {
                Cmd::Multiline(text) | Cmd::Raw(text) => text,
                _ => "",
            };
            self.prefix[multiline] - self.prefix[start] + first_line_width(text)
        } else {
            let rest = if end < cmds.len() { self.next_break[end] as usize } else { cmds.len() };
            let mut needed = self.prefix[rest] - self.prefix[start];
            match cmds.get(rest) {
                Some(Cmd::Multiline(text) | Cmd::Raw(text)) => needed += first_line_width(text),
                // A space just before a line break is not printed.
                _ if self.spaced[rest] && needed > 0 => needed -= 1,
                _ => {}
            }
            needed
        };
        column.saturating_add(needed) <= line_width
    }
}

/// Prints the stream.
pub(super) fn print(cmds: &[Cmd], layout: &Layout, capacity: usize) -> String {
    let measure = measure(cmds);
    let mut printer = Printer {
        out: String::with_capacity(capacity),
        layout,
        indent: 0,
        column: 0,
        at_line_start: true,
        pending_space: false,
        started: false,
        last_line_blank: false,
    };
    // The end of the outermost group being printed flat: everything before it is flat.
    let mut flat_until: Option<usize> = None;
    for (i, cmd) in cmds.iter().enumerate() {
        let flat = flat_until.is_some_and(|end| i < end);
        match *cmd {
            Cmd::GroupStart => {
                if !flat {
                    let column = if printer.at_line_start {
                        printer.indent * layout.indent_width
                    } else {
                        printer.column + usize::from(printer.pending_space)
                    };
                    if measure.fits(cmds, i, column, layout.line_width) {
                        flat_until = Some(measure.group_end[i] as usize);
                    }
                }
            }
            Cmd::GroupEnd => {
                if flat_until == Some(i) {
                    flat_until = None;
                }
            }
            Cmd::Text(text) => {
                printer.start_text();
                printer.out.push_str(text);
                printer.column += width(text);
            }
            Cmd::Raw(text) => {
                printer.at_line_start = false;
                printer.start_text();
                printer.out.push_str(text);
                printer.column = last_line_width(text);
            }
            Cmd::Multiline(text) => {
                printer.start_text();
                printer.out.push_str(text);
                printer.column =
                    if has_line_break(text) { last_line_width(text) } else { printer.column + width(text) };
            }
            Cmd::Space => printer.space(),
            Cmd::Line if flat => printer.space(),
            Cmd::Line | Cmd::SoftLine if !flat => printer.newline(),
            Cmd::SoftLine | Cmd::Line => {}
            Cmd::LineStart { blank } => {
                printer.newline();
                if blank && printer.started && !printer.last_line_blank {
                    printer.out.push_str(layout.newline);
                    printer.last_line_blank = true;
                }
            }
            Cmd::BreakParent => {}
            Cmd::Indent => printer.indent += 1,
            Cmd::Dedent => printer.indent = printer.indent.saturating_sub(1),
        }
    }
    printer.out
}

struct Printer<'l> {
    out: String,
    layout: &'l Layout,
    indent: usize,
    column: usize,
    /// Nothing printed on the current line yet (its indentation included).
    at_line_start: bool,
    pending_space: bool,
    /// Whether any text has been printed.
    started: bool,
    /// Whether the line just ended was empty.
    last_line_blank: bool,
}

impl Printer<'_> {
    fn start_text(&mut self) {
        if self.at_line_start {
            if self.layout.use_tabs {
                self.out.extend(std::iter::repeat_n('\t', self.indent));
            } else {
                self.out.extend(std::iter::repeat_n(' ', self.indent * self.layout.indent_width));
            }
            self.column = self.indent * self.layout.indent_width;
            self.at_line_start = false;
        }
        if self.pending_space {
            self.out.push(' ');
            self.column += 1;
            self.pending_space = false;
        }
        self.started = true;
        self.last_line_blank = false;
    }

    fn space(&mut self) {
        if !self.at_line_start {
            self.pending_space = true;
        }
    }

    /// Ends the current line, unless nothing is on it.
    fn newline(&mut self) {
        if self.at_line_start {
            return;
        }
        self.out.push_str(self.layout.newline);
        self.at_line_start = true;
        self.pending_space = false;
        self.column = 0;
        self.last_line_blank = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(line_width: usize) -> Layout {
        Layout { indent_width: 2, use_tabs: false, line_width, newline: "\n" }
    }

    /// `f(aaa, bbb)` as a group with its arguments indented.
    fn call() -> Vec<Cmd<'static>> {
        vec![
            Cmd::Text("f"),
            Cmd::GroupStart,
            Cmd::Text("("),
            Cmd::Indent,
            Cmd::SoftLine,
            Cmd::Text("aaa"),
            Cmd::Text(","),
            Cmd::Line,
            Cmd::Text("bbb"),
            Cmd::Dedent,
            Cmd::SoftLine,
            Cmd::Text(")"),
            Cmd::GroupEnd,
            Cmd::Text(";"),
        ]
    }

    #[test]
    fn a_group_is_flat_when_it_fits_with_what_follows() {
        assert_eq!(print(&call(), &layout(12), 0), "f(aaa, bbb);");
        assert_eq!(print(&call(), &layout(11), 0), "f(\n  aaa,\n  bbb\n);");
    }

    #[test]
    fn a_line_start_breaks_the_groups_around_it() {
        let mut cmds = call();
        cmds.insert(7, Cmd::LineStart { blank: false });
        assert_eq!(print(&cmds, &layout(80), 0), "f(\n  aaa,\n  bbb\n);");
    }

    #[test]
    fn spaces_and_indentation_never_end_a_line() {
        let cmds = [
            Cmd::Text("a"),
            Cmd::Space,
            Cmd::Indent,
            Cmd::LineStart { blank: true },
            Cmd::LineStart { blank: true },
            Cmd::Text("b"),
            Cmd::Space,
            Cmd::LineStart { blank: false },
        ];
        let tabs = Layout { use_tabs: true, ..layout(80) };
        assert_eq!(print(&cmds, &tabs, 0), "a\n\n\tb\n");
    }
}
