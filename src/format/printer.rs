//! Lays out a command stream ([`super::doc`]) in a width: each group flat when it fits, broken otherwise,
//! decided greedily from left to right as Wadler's and Prettier's printers do.
//!
//! Two linear passes and no recursion. The first measures every group ([`measure`]): where it ends, whether
//! something in it forces it to break, and the flat widths that decide whether it fits. The second prints:
//! a group fits when its flat text, and the text after it up to the next possible line end, fit in what is
//! left of the line. Indentation is written only when text follows it, and a space only when
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

/// What the measuring pass knows about one group.
#[derive(Debug, Clone, Copy)]
struct Group {
    /// The position of its end.
    end: u32,
    /// Whether something inside forces it to break.
    forced: bool,
    /// The flat width of the stream before it, adjacent spaces counted once as the printer prints them.
    start_width: usize,
    /// When a multi-line text is inside: the flat width of the stream up to the end of that text's first
    /// line, for the first such text.
    multiline_width: Option<usize>,
    /// The flat width of the stream up to the first possible line end after the group (the text after a
    /// group has to fit on its line too), a trailing space left out.
    rest_width: usize,
}

/// Measures every group in one pass: the stream's running flat width, recorded where a group starts, where
/// its first multi-line text is, and where the first possible line end after it is. What a group learns
/// (a forced break, a multi-line text) passes to the group around it when it ends.
fn measure(cmds: &[Cmd]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    // Groups that have ended and wait for the next possible line end.
    let mut waiting: Vec<usize> = Vec::new();
    let mut total = 0usize;
    let mut space = false;
    let rest = |total: usize, space: bool, first_line: usize| {
        if first_line > 0 {
            total + first_line
        } else if space {
            total - 1
        } else {
            total
        }
    };
    for (i, cmd) in cmds.iter().enumerate() {
        if cmd.may_break() {
            let first_line = match *cmd {
                Cmd::Multiline(text) | Cmd::Raw(text) => first_line_width(text),
                _ => 0,
            };
            for group in waiting.drain(..) {
                let group = &mut groups[group];
                group.rest_width = rest(total, space, first_line).max(group.start_width);
            }
        }
        match *cmd {
            Cmd::Text(text) => {
                total += width(text);
                space &= text.is_empty();
            }
            Cmd::Multiline(text) | Cmd::Raw(text) => {
                if let Some(&group) = open.last() {
                    let group = &mut groups[group];
                    group.multiline_width.get_or_insert(total + first_line_width(text));
                }
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
                    groups[group].forced = true;
                }
            }
            Cmd::GroupStart => {
                open.push(groups.len());
                groups.push(Group {
                    end: cmds.len() as u32,
                    forced: false,
                    start_width: total,
                    multiline_width: None,
                    rest_width: 0,
                });
            }
            Cmd::GroupEnd => {
                if let Some(index) = open.pop() {
                    let group = groups[index];
                    groups[index].end = i as u32;
                    if let Some(&parent) = open.last() {
                        let parent = &mut groups[parent];
                        parent.forced |= group.forced;
                        if parent.multiline_width.is_none() {
                            parent.multiline_width = group.multiline_width;
                        }
                    }
                    waiting.push(index);
                }
            }
            Cmd::SoftLine | Cmd::Indent | Cmd::Dedent => {}
        }
    }
    for group in waiting {
        let group = &mut groups[group];
        group.rest_width = rest(total, space, 0).max(group.start_width);
    }
    groups
}

impl Group {
    /// Whether the group fits flat from `column` on, with the text after it up to the next possible line
    /// end; with a multi-line text inside, only up to the end of that text's first line.
    fn fits(&self, column: usize, line_width: usize) -> bool {
        if self.forced {
            return false;
        }
        let needed = self.multiline_width.unwrap_or(self.rest_width) - self.start_width;
        column.saturating_add(needed) <= line_width
    }
}

/// Prints the stream.
pub(super) fn print(cmds: &[Cmd], layout: &Layout, capacity: usize) -> String {
    let groups = measure(cmds);
    let mut next_group = 0;
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
                let group = groups[next_group];
                next_group += 1;
                if !flat {
                    let column = if printer.at_line_start {
                        printer.indent * layout.indent_width
                    } else {
                        printer.column + usize::from(printer.pending_space)
                    };
                    if group.fits(column, layout.line_width) {
                        flat_until = Some(group.end as usize);
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
