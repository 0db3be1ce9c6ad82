"""The rebuild inventory (``migrator inventory``): what is rebuilt natively in Twenty.

:func:`~migrator.inventory.build.build_inventory` reads a bundle's configuration objects into an
:class:`~migrator.inventory.model.Inventory`; :mod:`migrator.inventory.render` writes it as
Markdown for the customer's admin or as JSON (the AeronaClinic recall rules' structured reference).
"""

from __future__ import annotations
