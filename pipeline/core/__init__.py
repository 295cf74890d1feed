"""The pure core every stage uses: MediaWiki facts and naming rules, instants, quantities,
person and mission names. Nothing here does I/O (except reading the package's own mapping
files once) and nothing imports a stage; see README "Project layout"."""
