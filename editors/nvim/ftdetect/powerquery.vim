" dfls: Power Query M files, and the JSON parts of a Dataflow item that have no .json extension.
autocmd BufRead,BufNewFile *.pq,*.pqm set filetype=powerquery
autocmd BufRead,BufNewFile .platform,.schedules,*.Dataflow/*.mdf setfiletype json
