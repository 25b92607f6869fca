# SPDX-License-Identifier: GPL-2.0
"""
vgpu_kerneldoc - a ``kernel-doc`` directive for this project's docs.

Runs the kernel's own ``scripts/kernel-doc`` (taken from the
linux-source-6.12 package at build time, see scripts/deps.sh) in rst mode
and parses its output in place, so prototypes and their descriptions come
from the source, never from copies in the documentation.

    .. kernel-doc:: mdev/include/vgpu_display.h
    .. kernel-doc:: mdev/core/display.c
       :export:
    .. kernel-doc:: uapi/linux/vgpu_display.h
       :doc: plane generation
    .. kernel-doc:: mdev/core/vram.c
       :functions: vgpu_vram_create vgpu_vram_put

Paths are relative to the top of the tree. The script's path comes from
the ``kerneldoc_bin`` setting (``sphinx-build -D kerneldoc_bin=...``).
"""
import os
import subprocess

from docutils.parsers.rst import Directive, directives
from docutils.statemachine import ViewList
from sphinx.util import logging
from sphinx.util.nodes import nested_parse_with_titles
from docutils import nodes

logger = logging.getLogger(__name__)


class KernelDoc(Directive):
    required_arguments = 1
    optional_arguments = 0
    final_argument_whitespace = False
    has_content = False
    option_spec = {
        'export': directives.flag,
        'internal': directives.flag,
        'doc': directives.unchanged_required,
        'functions': directives.unchanged,
    }

    def run(self):
        env = self.state.document.settings.env
        top = os.path.abspath(os.path.join(env.srcdir, '..'))
        path = os.path.join(top, self.arguments[0])
        cmd = ['perl', env.config.kerneldoc_bin, '-rst', '-enable-lineno']
        if 'export' in self.options:
            cmd.append('-export')
        elif 'internal' in self.options:
            cmd.append('-internal')
        elif 'doc' in self.options:
            cmd += ['-function', self.options['doc']]
        elif 'functions' in self.options:
            for f in self.options['functions'].split():
                cmd += ['-function', f]
        cmd.append(path)
        env.note_dependency(os.path.abspath(path))

        try:
            res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError) as err:
            logger.warning('kernel-doc failed on %s: %s', path, err,
                           location=(env.docname, self.lineno))
            return [nodes.error(None, nodes.paragraph(text=str(err)))]
        for line in res.stderr.splitlines():
            logger.warning('kernel-doc: %s', line, location=(env.docname, self.lineno))

        lines = ViewList()
        lineoffset = 0
        for line in res.stdout.splitlines():
            if line.startswith('.. LINENO ') or line.startswith('#define LINENO '):
                lineoffset = int(line.split()[2]) - 1
                continue
            lines.append(line, path, lineoffset)
            lineoffset += 1
        node = nodes.section()
        nested_parse_with_titles(self.state, lines, node)
        return node.children


def setup(app):
    app.add_config_value('kerneldoc_bin', 'kernel-doc', 'env')
    app.add_directive('kernel-doc', KernelDoc)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
