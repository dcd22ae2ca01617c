{#
  On Spark the raw layer is the Parquet lake (dagster_project/lake.py):
  lake/<table>/extract_night=<night>/part-*.parquet. Before a run, every `raw` source becomes a view
  over its folder (read fresh by each query, so a corrected night is seen at once). The lake root is
  the var `lake_path` (a cluster's s3a:// or hdfs:// path), else $SVCINDEX_HOME/lake. No-op on DuckDB.
#}
{% macro create_lake_sources() %}
    {% if execute and target.type == 'spark' %}
        {% set lake = var('lake_path', none) or (env_var('SVCINDEX_HOME') ~ '/lake') %}
        {% do run_query('create database if not exists raw') %}
        {% for node in graph.sources.values() if node.source_name == 'raw' %}
            {% do run_query("create or replace view raw." ~ node.name ~ " as select * from parquet.`"
                            ~ lake ~ "/" ~ node.name ~ "`") %}
        {% endfor %}
    {% endif %}
{% endmacro %}
