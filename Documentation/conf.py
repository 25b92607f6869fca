# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration for the vgpu-display documentation (make docs).
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'sphinx'))

project = 'vgpu-display'
copyright = 'vgpu-display developers'
extensions = ['vgpu_kerneldoc']
master_doc = 'index'
primary_domain = 'c'
highlight_language = 'none'
exclude_patterns = ['_build']
html_theme = 'alabaster'
# the kernel's C idioms sphinx cannot resolve on its own
c_id_attributes = ['__user', '__must_check', '__always_inline']
nitpicky = False

# sphinx-build -b man Documentation DIR: the tools' manual pages. The
# description is empty because each page has its own NAME section.
man_pages = [
    ('tools/vgpu-ctl', 'vgpu-ctl', '', [], 1),
    ('tools/vgpu-grab', 'vgpu-grab', '', [], 1),
    ('tools/vgpu-qemu', 'vgpu-qemu', '', [], 1),
]

